// The demo survives a restart: `npm start`'s process (the built `serve`, demo mode, the embedded
// SQLite database) books the walk-through's course date and syncs it to the simulated Maconomy;
// after a stop and a new start with the same VAR_DIR, Maconomy's participants and the database
// still agree. `npm run demo:reset` then deletes both and says so, and the next start is fresh.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureBuilt, freePort } from '../faults/processes.js';
import { until } from '../support/wait.js';
import { WALKTHROUGH_COURSE_NO } from '../../src/simulators/maconomy.js';

const MAIN = resolve(process.cwd(), 'dist/src/main.js');

interface Demo {
  child: ChildProcess;
  lines: Record<string, any>[];
}

function start(env: Record<string, string>): Demo {
  const child = spawn(process.execPath, [MAIN, 'serve'], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_FORMAT: 'json', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Demo['lines'] = [];
  let buffered = '';
  const onData = (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p));
      } catch {
        lines.push({ msg: p });
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return { child, lines };
}

async function serving(demo: Demo): Promise<{ graphql: string; maconomy: string }> {
  await until('the demo to serve', () => demo.lines.some((l) => /Kursus is serving/.test(l.msg)) || demo.child.exitCode !== null, 60_000);
  if (demo.child.exitCode !== null) throw new Error(`the demo exited: ${demo.lines.map((l) => l.msg).join('\n')}`);
  return {
    graphql: demo.lines.find((l) => /Kursus is serving/.test(l.msg))!.graphql,
    maconomy: demo.lines.find((l) => /built-in Maconomy simulator/.test(l.msg))!.url,
  };
}

async function stop(demo: Demo) {
  const exited = new Promise((r) => demo.child.once('exit', r));
  demo.child.kill('SIGINT');
  await exited;
}

async function gql(url: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function maconomyParticipants(simUrl: string): Promise<{ external_ref: string }[]> {
  const res = await fetch(`${simUrl}/api/participant/${WALKTHROUGH_COURSE_NO}`, { headers: { authorization: 'Bearer demo-maconomy-token' } });
  expect(res.status).toBe(200);
  return (await res.json()) as { external_ref: string }[];
}

const SEATS = `query Seats($id: String!) { course(maconomyId: $id) { seatsAvailable } }`;

beforeAll(() => ensureBuilt(), 180_000);

describe('the demo across a restart', () => {
  let varDir: string;
  let demo: Demo | null = null;
  beforeAll(async () => {
    varDir = await mkdtemp(join(tmpdir(), 'kursus-demo-restart-'));
  });
  afterAll(async () => {
    if (demo && demo.child.exitCode === null) demo.child.kill('SIGKILL');
    await rm(varDir, { recursive: true, force: true });
  });

  it('keeps Maconomy and the database in agreement, and demo:reset starts over', async () => {
    const env = { PORT: String(await freePort()), VAR_DIR: varDir };
    demo = start(env);
    let urls = await serving(demo);
    const before = (await gql(urls.graphql, SEATS, { id: WALKTHROUGH_COURSE_NO })).course.seatsAvailable;
    const r = await gql(urls.graphql, `mutation($id: ID!) { reserveSeats(input: { courseId: $id, seats: 2 }) { orderToken order { id } } }`, { id: WALKTHROUGH_COURSE_NO });
    const order = { id: r.reserveSeats.order.id as string, token: r.reserveSeats.orderToken as string };
    await gql(
      urls.graphql,
      `mutation($id: ID!, $t: String!) { checkout(input: { orderId: $id, orderToken: $t, booker: { firstName: "Mette", lastName: "Kjær", email: "mette@firma.dk" },
        participants: [{ firstName: "Mette", lastName: "Kjær", email: "mette@firma.dk" }, { firstName: "Jens", lastName: "Olsen", email: "jens@firma.dk" }] }) { order { status } } }`,
      { id: order.id, t: order.token },
    );
    const ORDER = `query($id: ID!, $t: String!) { order(id: $id, token: $t) { status } }`;
    await until('the order SYNCED', async () => (await gql(urls.graphql, ORDER, { id: order.id, t: order.token })).order.status === 'SYNCED', 30_000);
    const refs = (await maconomyParticipants(urls.maconomy)).map((p) => p.external_ref).filter((ref) => ref.startsWith(`${order.id}:`));
    expect(refs.sort()).toEqual([`${order.id}:1`, `${order.id}:2`]);
    await stop(demo);
    const saved = (name: string) => JSON.parse(readFileSync(join(varDir, 'simulators', `${name}.json`), 'utf8'));
    for (const name of ['maconomy', 'wordpress', 'jubelio', 'baselinker', 'optimakers']) expect(existsSync(join(varDir, 'simulators', `${name}.json`))).toBe(true);
    const blOrders = saved('baselinker').orders.length;
    const wpPosts = saved('wordpress').posts.length;
    expect(blOrders).toBe(12); // the demo's seed
    expect(wpPosts).toBeGreaterThan(0); // the start-up push

    demo = start(env);
    urls = await serving(demo);
    // The database still has the order as SYNCED, and the restarted Maconomy still has its participants.
    expect((await gql(urls.graphql, ORDER, { id: order.id, t: order.token })).order.status).toBe('SYNCED');
    const after = (await maconomyParticipants(urls.maconomy)).map((p) => p.external_ref).filter((ref) => ref.startsWith(`${order.id}:`));
    expect(after.sort()).toEqual(refs.sort());
    expect((await gql(urls.graphql, SEATS, { id: WALKTHROUGH_COURSE_NO })).course.seatsAvailable).toBe(before - 2);
    await stop(demo);
    expect(demo.lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
    // The commerce simulators were restored, not seeded again; WordPress kept its posts (no duplicates).
    expect(saved('baselinker').orders.length).toBe(blOrders);
    expect(saved('wordpress').posts.length).toBe(wpPosts);

    // demo:reset: both gone, a clear message, and the next start is fresh demo data.
    expect(existsSync(join(varDir, 'simulators', 'maconomy.json'))).toBe(true);
    const reset = spawnSync(process.execPath, [MAIN, 'demo-reset'], { env: { PATH: process.env.PATH ?? '', VAR_DIR: varDir, LOG_FORMAT: 'json' }, encoding: 'utf8' });
    expect(reset.status).toBe(0);
    expect(reset.stdout).toMatch(/demo reset: deleted .*kursus\.db.*simulators\/; the next npm start begins from fresh demo data/);
    expect(existsSync(join(varDir, 'kursus.db'))).toBe(false);
    expect(existsSync(join(varDir, 'simulators'))).toBe(false);
    demo = start(env);
    urls = await serving(demo);
    expect((await gql(urls.graphql, ORDER, { id: order.id, t: order.token })).order).toBeNull();
    expect((await maconomyParticipants(urls.maconomy)).some((p) => p.external_ref.startsWith(`${order.id}:`))).toBe(false);
    expect((await gql(urls.graphql, SEATS, { id: WALKTHROUGH_COURSE_NO })).course.seatsAvailable).toBe(60);
    await stop(demo);
  }, 240_000);
});
