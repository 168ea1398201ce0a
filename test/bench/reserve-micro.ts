// Seat holds measured in one process, without HTTP or load generator: the app's CPU per
// reservation as `npm run bench`'s `reserve` part makes them (100 course dates in turn, one seat
// each, a client per request, the Maconomy simulator in its own process), through Fastify's
// inject. For working on the hold path: steadier than the paced run on a shared machine, and a
// profile of the loop alone.
//   node dist/test/bench/reserve-micro.js [--db=mysql://...] [--n=2000] [--prof=<dir>] [--rounds=3] [--split]
// --split: each round also measures, one call after another, `mutation { __typename }` alone
// (Fastify, Apollo and the hooks, without sockets), the booking service's reserveSeats alone, and
// the two alternating: what the stack and the booking cost each other when they share the CPU's
// caches (docs/benchmarks.md, "The tenth pass").
import 'reflect-metadata';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { profileTo, startMicroAppWithSimulator } from './micro-app.js';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const n = Number(arg('n') ?? 2000);
const rounds = Number(arg('rounds') ?? 3);
const profileDir = arg('prof');
const split = process.argv.includes('--split');
const RESERVE = 'mutation Reserve($input: ReserveSeatsInput!) { reserveSeats(input: $input) { orderToken order { id seats } } }';

const db = arg('db');
// The app's log lines go to stdout (send it to a file); the figures to stderr.
const { kursus, gql, simUrl, close } = await startMicroAppWithSimulator('reserve-micro', { ...(db ? { DATABASE_URL: db } : {}), LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' });

const dates: { id: string; maconomyId: string }[] = (await gql('{ courses(first: 100, filter: { onlyAvailable: true }) { edges { node { id maconomyId } } } }')).data.courses.edges.map((e: any) => e.node);
for (const d of dates)
  await fetch(`${simUrl}/__sim/free-seats`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ maconomyId: d.maconomyId, freeSeats: 1_000_000 }) });
let k = 0;
const reserve = () => gql(RESERVE, { input: { courseId: dates[k++ % dates.length]!.id, seats: 1 } });
for (let i = 0; i < 500; i++) await reserve();

// For --split: a customer per call, as the requests above have (the per-client cap counts per client).
let customer = 0;
const bookingAlone = () => {
  const c = customer++;
  return kursus.booking.reserveSeats({ courseId: dates[k++ % dates.length]!.id, seats: 1, clientKey: `11.${(c >> 16) & 255}.${(c >> 8) & 255}.${c & 255}` });
};
const emptyMutation = () => gql('mutation { __typename }');
async function cpuPerCall(call: () => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) await call();
  const cpu = process.cpuUsage(before);
  return Math.round((cpu.user + cpu.system) / n);
}
if (split) for (let i = 0; i < 500; i++) await Promise.all([emptyMutation(), bookingAlone()]);

if (profileDir) await mkdir(profileDir, { recursive: true });
for (let round = 1; round <= rounds; round++) {
  const stopProfile = await profileTo(profileDir && join(profileDir, `reserve-${round}.cpuprofile`));
  const before = process.cpuUsage();
  const t0 = performance.now();
  // A few at a time, as a storefront's customers arrive: the reuse of Maconomy answers and the
  // batching of log writes see what they see under load.
  let left = n;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (left-- > 0) await reserve();
  }));
  const cpu = process.cpuUsage(before);
  await stopProfile();
  process.stderr.write(`round ${round}: ${Math.round((cpu.user + cpu.system) / n)} µs CPU per reservation (inject, no HTTP), ${Math.round(((performance.now() - t0) * 1000) / n)} µs wall\n`);
  if (split) {
    const stack = await cpuPerCall(emptyMutation);
    const booking = await cpuPerCall(bookingAlone);
    const both = await cpuPerCall(async () => {
      await emptyMutation();
      await bookingAlone();
    });
    process.stderr.write(`  mutation { __typename } ${stack} µs; the booking service alone ${booking} µs; sum ${stack + booking} µs; the two alternating ${both} µs\n`);
  }
}
await close();
process.exit(0);
