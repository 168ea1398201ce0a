// What the app was doing while its event loop stalled during the paced reservations:
//   KURSUS_BENCH_TRACE=1 KURSUS_BENCH_CPU_PROF=/tmp/prof npm run bench -- --db=mysql --only=reserve
//   npx node dist/test/bench/stall-profile.js /tmp/prof/CPU.*.cpuprofile /tmp/prof/stalls.json [min stall ms]
// prints, for the samples of the V8 CPU profile that fall inside the recorded stalls, the functions
// by inclusive and by self time. (This is how the job poller's burst of ~20 queries every 500 ms
// was found.)
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [profilePath, stallsPath, minMs = '15'] = process.argv.slice(2);
if (!profilePath || !stallsPath) {
  process.stderr.write('usage: stall-profile.js <profile.cpuprofile> <stalls.json> [min stall ms]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as Profile;
// [wall-clock start ms, length ms, CLOCK_MONOTONIC start µs] per stall (app-process.ts).
const stalls = JSON.parse(readFileSync(stallsPath, 'utf8')) as [number, number, number][];
const windows = stalls.filter(([, len]) => len >= Number(minMs)).map(([, len, mono]) => [mono, mono + len * 1000] as const);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-3).join('/')}:${n.callFrame.lineNumber}`;

const inclusive = new Map<string, number>();
const self = new Map<string, number>();
let busyUs = 0;
let t = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i]!;
  if (!windows.some(([a, b]) => t >= a && t <= b)) continue;
  const node = byId.get(profile.samples[i]!)!;
  if (node.callFrame.functionName === '(idle)') continue;
  const dt = profile.timeDeltas[i + 1] ?? 0;
  busyUs += dt;
  self.set(name(node), (self.get(name(node)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
    const k = name(byId.get(id)!);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
  }
}
const top = (m: Map<string, number>, n: number) =>
  [...m]
    .filter(([k]) => !/^\((root|program)\)|processTicksAndRejections|runMicrotasks/.test(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => `  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`)
    .join('\n');
process.stdout.write(`${windows.length} stalls of at least ${minMs} ms; ${(busyUs / 1000).toFixed(0)} ms of samples inside them\n`);
process.stdout.write(`inclusive:\n${top(inclusive, 40)}\nself:\n${top(self, 15)}\n`);
