// Benchmark helper process: the Maconomy simulator with N generated course dates, in its own
// process so its work does not run on the app's event loop (as the real Maconomy would not).
// Usage: node dist/test/bench/sim-process.js <course dates>; sends { url } over IPC when listening.
import { generatedData, startMaconomySimulator } from '../../src/simulators/maconomy.js';

const dates = Number(process.argv[2] ?? 300);
const sim = await startMaconomySimulator({ data: generatedData(dates, new Date()), token: 'bench-maconomy-token' });
process.send?.({ url: sim.url });
process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
process.on('SIGTERM', () => void sim.close().then(() => process.exit(0)));
