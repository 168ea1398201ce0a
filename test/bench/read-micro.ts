// The storefront's reads measured in one process, without HTTP or load generator: the app's CPU
// per answer of each read (as `npm run bench`'s `reads` part asks them, catalogue cache off),
// through Fastify's inject. For working on one read: seconds per try instead of minutes, and a
// --cpu-prof of this process profiles the reads alone.
//   node dist/test/bench/read-micro.js [--db=mysql://...] [--n=1000] [--only=Catalogue,Course] [--prof=<dir>]
import 'reflect-metadata';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatedData, startMaconomySimulator } from '../../src/simulators/maconomy.js';
import { profileTo, startMicroApp } from './micro-app.js';
import { CATALOGUE_QUERY, COURSE_QUERY, ORDER_QUERY, PAGE_QUERY, SEARCH_QUERY } from './queries.js';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const n = Number(arg('n') ?? 1000);
const only = arg('only')?.split(',');
// --prof=<dir>: a CPU profile of each read's measured loop, <dir>/<read>.cpuprofile.
const profileDir = arg('prof');

const sim = await startMaconomySimulator({ data: generatedData(400, new Date()), token: 'bench-maconomy-token' });
const dir = await mkdtemp(join(tmpdir(), 'kursus-read-micro-'));
const { kursus, gql } = await startMicroApp({
  DATABASE_URL: arg('db') ?? `sqlite:${join(dir, 'micro.db')}`,
  MACONOMY_URL: sim.url,
  EDITOR_TOKENS: 'bench-editor-token',
  VAR_DIR: dir,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  CATALOG_CACHE_MS: process.env.CATALOG_CACHE_MS ?? '0',
});

// The bench's editors' work and its order (test/bench/run.ts).
const first = (await gql('{ courses(first: 20) { edges { node { id title location } } } }')).data.courses.edges.map((e: any) => e.node);
for (const [i, { id }] of first.entries())
  await gql('mutation($input: EnrichCourseInput!) { enrichCourse(input: $input) { id } }', {
    input: {
      courseId: id,
      trainers: [{ key: `trainer-${i % 5}`, name: `Træner ${i % 5}`, title: 'Chefkonsulent', bio: 'Underviser i projektledelse.' }, { key: 'mkj', name: 'Mette Kjær', title: 'Partner' }],
      ...(i % 2 === 0 ? { description: 'Et kursus for dig, der vil lede projekter med sikker hånd.', note: 'Parkering i gården.' } : {}),
    },
  }, { authorization: 'Bearer bench-editor-token' });
const held = (await gql('mutation Reserve($input: ReserveSeatsInput!) { reserveSeats(input: $input) { orderToken order { id seats } } }', { input: { courseId: first[0].id, seats: 1 } })).data.reserveSeats;
await gql('mutation Checkout($input: CheckoutInput!) { checkout(input: $input) { order { id status } } }', {
  input: { orderId: held.order.id, orderToken: held.orderToken, booker: { firstName: 'Mette', lastName: 'Kjær', email: 'mette@example.dk', company: 'Firma A/S' }, participants: [{ firstName: 'Jens', lastName: 'Olsen', email: 'jens@example.dk' }] },
});
const word = String(first[0].title).split(/\s+/).find((w: string) => w.length >= 4) ?? String(first[0].title);
let after: string | null = null;
for (let p = 0; p < 2; p++) after = (await gql('query($after: String) { courses(first: 20, after: $after) { pageInfo { endCursor } } }', { after })).data.courses.pageInfo.endCursor;

if (profileDir) await mkdir(profileDir, { recursive: true });
const reads: [string, string, Record<string, unknown>][] = [
  ['Catalogue', CATALOGUE_QUERY, {}],
  ['Search', SEARCH_QUERY, { location: first[0].location, search: word.toLowerCase() }],
  ['Page', PAGE_QUERY, { after }],
  ['Course', COURSE_QUERY, { id: first[0].id }],
  ['Order', ORDER_QUERY, { id: held.order.id, token: held.orderToken }],
];
for (const [name, query, variables] of reads) {
  if (only && !only.includes(name)) continue;
  for (let i = 0; i < 200; i++) await gql(query, variables, {}, name);
  const stopProfile = await profileTo(profileDir && join(profileDir, `${name}.cpuprofile`));
  const before = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await gql(query, variables, {}, name);
  const cpu = process.cpuUsage(before);
  await stopProfile();
  process.stdout.write(`${name}: ${Math.round((cpu.user + cpu.system) / n)} µs CPU per answer (inject, no HTTP), ${Math.round(((performance.now() - t0) * 1000) / n)} µs wall\n`);
}
await kursus.close();
await sim.close();
if (process.argv.includes('--keep')) process.stdout.write(`database kept: ${process.env.DATABASE_URL}\n`);
else await rm(dir, { recursive: true, force: true });
process.exit(0);
