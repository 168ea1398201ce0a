// The Maconomy client against the loopback simulator over real HTTP: parsing, paging, seat
// look-ups, validation errors, retries, timeouts, write ambiguity and idempotency.
import { MaconomyClient, MaconomyError, type MaconomyCall, type MaconomyClientOptions } from '../../src/integrations/maconomy/index.js';
import { startMaconomySimulator, demoData, generatedData, type MaconomySimulator } from '../../src/simulators/maconomy.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nodeHttpTransport } from '../../src/http/node-transport.js';
import type { UpstreamTransport } from '../../src/http/upstream.js';

const TOKEN = 'test-token-5f1c';
const NOW = new Date('2026-03-02T08:00:00Z');

let sim: MaconomySimulator;
let transport: UpstreamTransport | undefined;
const calls: MaconomyCall[] = [];
const logs: { level: string; obj: object; msg?: string }[] = [];

function client(opts: Partial<MaconomyClientOptions> = {}) {
  return new MaconomyClient({
    baseUrl: sim.url,
    token: TOKEN,
    timeoutMs: 1000,
    logger: {
      warn: (obj, msg) => logs.push({ level: 'warn', obj, msg }),
      debug: (obj, msg) => logs.push({ level: 'debug', obj, msg }),
    },
    onCall: (c) => calls.push(c),
    ...(transport ? { transport } : {}),
    ...opts,
  });
}

/** An open course date with at least `min` free seats. */
function openDate(min = 1) {
  const d = sim.state.courseDates().find((c) => c.status === 'open' && c.free_seats >= min);
  if (!d) throw new Error('no open course date in the demo data');
  return d;
}

async function rejection(p: Promise<unknown>): Promise<MaconomyError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(MaconomyError);
    return err as MaconomyError;
  }
  throw new Error('expected a MaconomyError, but the call succeeded');
}

const person = (ref: string, maconomyId: string) => ({
  maconomyId,
  externalRef: ref,
  firstName: 'Karen',
  lastName: 'Sørensen',
  email: 'karen.sorensen@example.dk',
  phone: '+45 12 34 56 78',
  company: 'Eksempel A/S',
});

beforeAll(async () => {
  sim = await startMaconomySimulator({ token: TOKEN, data: demoData(NOW, 3) });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  sim.state.reset();
  sim.faults.clear();
  calls.length = 0;
  logs.length = 0;
});

// Every test runs over fetch (the client's default) and over the transport buildKursus gives it
// (src/http/node-transport.ts: node:http with keep-alive connections).
const transports: [string, () => UpstreamTransport | undefined][] = [
  ['fetch', () => undefined],
  ['node:http with keep-alive', () => nodeHttpTransport().send],
];
describe.each(transports)('over %s', (_name, makeTransport) => {
  beforeAll(() => {
    transport = makeTransport();
  });

  describe('reading', () => {
    it('lists main courses as domain records', async () => {
      const records = await client().listMainCourses();
      const wire = sim.state.mainCourses();
      expect(records).toHaveLength(wire.length);
      expect(records[0]).toEqual({ number: wire[0]!.main_course_no, title: wire[0]!.title, description: wire[0]!.description, category: wire[0]!.category });
      expect(records.some((r) => r.description === null)).toBe(true);
      expect(records.some((r) => r.category === null)).toBe(true);
    });

    it('pages through course dates and converts them (price to øre, days to camelCase)', async () => {
      const c = client();
      const pages: number[] = [];
      const all = [];
      for await (const page of c.iterateCourseDates(7)) {
        pages.push(page.length);
        all.push(...page);
      }
      const wire = sim.state.courseDates();
      expect(all).toHaveLength(wire.length);
      expect(pages.slice(0, -1).every((n) => n === 7)).toBe(true);
      expect(sim.state.requestCount('/api/course')).toBe(Math.ceil(wire.length / 7));
      const w = wire[4]!;
      const r = all.find((x) => x.maconomyId === w.course_no)!;
      expect(r).toEqual({
        maconomyId: w.course_no,
        mainCourseNumber: w.main_course_no,
        title: w.title,
        startDate: w.start_date,
        endDate: w.end_date,
        location: w.location,
        priceMinor: Math.round(w.price * 100),
        currency: 'DKK',
        capacity: w.capacity,
        freeSeats: w.free_seats,
        status: w.status,
        days: w.days.map((d) => ({ date: d.date, startTime: d.start_time, endTime: d.end_time })),
      });
      expect(Number.isInteger(r.priceMinor)).toBe(true);
    });

    it('converts decimal prices to whole øre without float noise', async () => {
      const d = sim.state.courseDates()[0]!;
      sim.state.updateCourseDate(d.course_no, { price: 8900.1 });
      const all = await client().listCourseDates();
      expect(all.find((x) => x.maconomyId === d.course_no)!.priceMinor).toBe(890010);
    });

    it('reads 10,000 course dates in batches of 500', async () => {
      const big = await startMaconomySimulator({ token: TOKEN, data: generatedData(10_000, NOW) });
      try {
        const c = new MaconomyClient({ baseUrl: big.url, token: TOKEN, ...(transport ? { transport } : {}) });
        let n = 0;
        let batches = 0;
        for await (const page of c.iterateCourseDates()) {
          expect(page.length).toBeLessThanOrEqual(500);
          n += page.length;
          batches++;
        }
        expect(n).toBe(10_000);
        expect(batches).toBe(20);
        expect(big.state.requestCount('/api/course')).toBe(20);
        const all = await c.listCourseDates();
        expect(new Set(all.map((d) => d.maconomyId)).size).toBe(10_000);
      } finally {
        await big.close();
      }
    });

    it('reads seat info, and null for an unknown course date', async () => {
      const d = openDate();
      const info = await client().getSeats(d.course_no);
      expect(info).toMatchObject({ maconomyId: d.course_no, capacity: d.capacity, freeSeats: d.free_seats, status: 'open' });
      expect(info!.fetchedAt).toBeInstanceOf(Date);
      expect(await client().getSeats('99999-99')).toBeNull();
    });

    it('lists participants of a course date; an unknown date is an http 404 error', async () => {
      const c = client();
      const d = openDate(2);
      await c.createParticipant(person('order-1:1', d.course_no));
      await c.createParticipant({ ...person('order-1:2', d.course_no), phone: undefined, company: null });
      const list = await c.listParticipants(d.course_no);
      expect(list).toHaveLength(2);
      expect(list[0]).toMatchObject({ maconomyId: d.course_no, externalRef: 'order-1:1', firstName: 'Karen', lastName: 'Sørensen', email: 'karen.sorensen@example.dk', phone: '+45 12 34 56 78', company: 'Eksempel A/S' });
      expect(list[1]).toMatchObject({ externalRef: 'order-1:2', phone: null, company: null });
      const err = await rejection(c.listParticipants('99999-99'));
      expect(err).toMatchObject({ kind: 'http', status: 404, code: 'UPSTREAM_UNAVAILABLE' });
    });
  });

  describe('seat look-ups', () => {
    // Reuse and sharing of answers live in the booking engine's seat reader (src/booking/maconomy-seats.ts),
    // which tags each answer with the course date's sync sequence read before asking: the client
    // itself never caches or shares one, so it can never hand out an answer older than that tag.
    it('sends every look-up as its own request, concurrent ones too, and sees a change at once', async () => {
      sim.faults.latencyMs = 50;
      const d = openDate();
      const path = `/api/course/${d.course_no}`;
      const c = client();
      const results = await Promise.all(Array.from({ length: 5 }, () => c.getSeats(d.course_no)));
      expect(sim.state.requestCount(path)).toBe(5);
      expect(new Set(results.map((r) => r!.freeSeats))).toEqual(new Set([d.free_seats]));
      sim.state.setFreeSeats(d.course_no, 1);
      expect((await c.getSeats(d.course_no))!.freeSeats).toBe(1);
      expect((await c.getSeats('99999-99'))).toBeNull();
      expect(sim.state.requestCount(path)).toBe(6);
    });
  });

  describe('invalid answers', () => {
    it('names the offending field of a malformed list and does not retry it', async () => {
      sim.faults.malformedNext(1, { path: '/api/course' });
      const err = await rejection(client({ retries: 2 }).listCourseDates());
      expect(err.kind).toBe('malformed');
      expect(err.field).toBe('items[0].capacity');
      expect(err.message).toContain('Maconomy /api/course returned an invalid body: items[0].capacity: expected number');
      expect(sim.state.requestCount('/api/course')).toBe(1);
    });

    it('names the field of a malformed seat answer and of a malformed main course', async () => {
      const d = openDate();
      sim.faults.malformedNext(1, { path: '/api/course/' });
      const seats = await rejection(client().getSeats(d.course_no));
      expect(seats).toMatchObject({ kind: 'malformed', field: 'capacity', status: 200 });

      sim.faults.malformedNext(1, { path: '/api/maincourse' });
      const main = await rejection(client().listMainCourses());
      expect(main).toMatchObject({ kind: 'malformed', field: '[0].main_course_no' });
    });

    it('reports a body that is not JSON, or a value outside the schema, as malformed', async () => {
      sim.faults.malformedNext(1, { raw: '<html>Gateway</html>' });
      expect(await rejection(client().listMainCourses())).toMatchObject({ kind: 'malformed', message: expect.stringContaining('not JSON') });

      const d = sim.state.courseDates()[2]!;
      sim.state.updateCourseDate(d.course_no, { status: 'postponed' as never });
      const err = await rejection(client().listCourseDates());
      expect(err.kind).toBe('malformed');
      expect(err.field).toBe('items[2].status');
    });
  });

  describe('failures and retries', () => {
    it('retries a read after 5xx and 429 and then succeeds; onCall sees every attempt', async () => {
      sim.faults.failNext(1, { status: 503 });
      sim.faults.failNext(1, { status: 429 });
      const records = await client({ retries: 2 }).listMainCourses();
      expect(records.length).toBeGreaterThan(0);
      expect(sim.state.requestCount('/api/maincourse')).toBe(3);
      expect(calls.map((c) => c.status)).toEqual([503, 429, 200]);
      expect(calls.every((c) => c.method === 'GET' && c.url === `${sim.url}/api/maincourse` && c.durationMs >= 0)).toBe(true);
      expect(logs.filter((l) => l.level === 'warn')).toHaveLength(2);
    });

    it('gives up after `retries` extra attempts with kind http and the status', async () => {
      sim.faults.failNext(5, { status: 500 });
      const err = await rejection(client({ retries: 2 }).listMainCourses());
      expect(err).toMatchObject({ kind: 'http', status: 500, code: 'UPSTREAM_UNAVAILABLE', ambiguous: false });
      expect(sim.state.requestCount()).toBe(3);
    });

    it('does not retry other 4xx; a 401 says the token was rejected without printing it', async () => {
      const c = new MaconomyClient({ baseUrl: sim.url, token: 'wrong-secret-token', retries: 3, onCall: (x) => calls.push(x), ...(transport ? { transport } : {}) });
      const err = await rejection(c.listMainCourses());
      expect(err).toMatchObject({ kind: 'http', status: 401 });
      expect(err.message).toMatch(/rejected the API token/);
      expect(err.message).not.toContain('wrong-secret-token');
      expect(calls).toHaveLength(1);
    });

    it('times out a hanging read, and retries it when allowed', async () => {
      sim.faults.hangNext(1, { path: '/api/maincourse' });
      const started = Date.now();
      const err = await rejection(client({ timeoutMs: 200, retries: 0 }).listMainCourses());
      expect(err).toMatchObject({ kind: 'timeout', ambiguous: false });
      expect(Date.now() - started).toBeLessThan(1500);
      expect(calls).toEqual([expect.objectContaining({ status: null, error: expect.stringContaining('timeout') })]);

      sim.faults.hangNext(1, { path: '/api/maincourse' });
      expect((await client({ timeoutMs: 200, retries: 1 }).listMainCourses()).length).toBeGreaterThan(0);
    });

    it('times out an answer whose body stops half-way, and a look-up after it gets a whole answer', async () => {
      const server = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"course_no": "25172-01", "capacity": ');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const c = new MaconomyClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: TOKEN, timeoutMs: 200, retries: 0, ...(transport ? { transport } : {}) });
        const started = Date.now();
        expect(await rejection(c.getSeats('25172-01'))).toMatchObject({ kind: 'timeout' });
        expect(Date.now() - started).toBeLessThan(1500);
      } finally {
        server.closeAllConnections();
        server.close();
      }
      const d = openDate();
      expect(await client().getSeats(d.course_no)).toMatchObject({ freeSeats: d.free_seats });
    });

    it('reports a refused connection as a network error that is not ambiguous, even for a write', async () => {
      const other = await startMaconomySimulator({ token: TOKEN });
      const url = other.url;
      await other.close();
      const c = new MaconomyClient({ baseUrl: url, token: TOKEN, retries: 1, ...(transport ? { transport } : {}) });
      expect(await rejection(c.listMainCourses())).toMatchObject({ kind: 'network', ambiguous: false });
      expect(await rejection(c.createParticipant(person('x:1', '25172-01')))).toMatchObject({ kind: 'network', ambiguous: false });
    });
  });

  describe('creating participants', () => {
    it('creates a participant and decrements the free seats', async () => {
      const d = openDate();
      const c = client();
      const { participant, created } = await c.createParticipant(person('order-9:1', d.course_no));
      expect(created).toBe(true);
      expect(participant).toMatchObject({ maconomyId: d.course_no, externalRef: 'order-9:1', firstName: 'Karen', email: 'karen.sorensen@example.dk' });
      expect(participant.participantId).toMatch(/\S/);
      expect((await c.getSeats(d.course_no))!.freeSeats).toBe(d.free_seats - 1);
    });

    it('treats a duplicate external reference as success with created=false and no second participant', async () => {
      const d = openDate();
      const c = client();
      const first = await c.createParticipant(person('order-2:1', d.course_no));
      const again = await c.createParticipant(person('order-2:1', d.course_no));
      expect(again.created).toBe(false);
      expect(again.participant.participantId).toBe(first.participant.participantId);
      expect(sim.state.participants(d.course_no)).toHaveLength(1);
      // Also when the date has filled up since: the participant exists already.
      sim.state.setFreeSeats(d.course_no, 0);
      expect((await c.createParticipant(person('order-2:1', d.course_no))).created).toBe(false);
    });

    it('does not retry a write; a timeout after Maconomy accepted it is ambiguous, and the retry is idempotent', async () => {
      const d = openDate();
      sim.faults.acceptThenHangNext(1);
      const c = client({ timeoutMs: 200, retries: 3 });
      const err = await rejection(c.createParticipant(person('order-3:1', d.course_no)));
      expect(err).toMatchObject({ kind: 'timeout', ambiguous: true });
      expect(sim.state.requestCount('/api/webparticipant')).toBe(1);
      expect(sim.state.participants(d.course_no)).toHaveLength(1);

      const retry = await c.createParticipant(person('order-3:1', d.course_no));
      expect(retry.created).toBe(false);
      expect(retry.participant.participantId).toBe(sim.state.participants(d.course_no)[0]!.participant_id);
      expect(sim.state.participants(d.course_no)).toHaveLength(1);
    });

    it('marks a 5xx on a write ambiguous and a 201 with an unreadable body too', async () => {
      const d = openDate(2);
      sim.faults.failNext(1, { path: '/api/webparticipant', status: 502 });
      expect(await rejection(client().createParticipant(person('o:5', d.course_no)))).toMatchObject({ kind: 'http', status: 502, ambiguous: true });
      sim.faults.malformedNext(1, { path: '/api/webparticipant' });
      expect(await rejection(client().createParticipant(person('o:6', d.course_no)))).toMatchObject({ kind: 'malformed', status: 201, ambiguous: true });
      expect(sim.state.participants(d.course_no).map((p) => p.external_ref)).toEqual(['o:6']);
    });

    it("answers kind 'no_seats' for a full or cancelled date, and http 404 for an unknown one", async () => {
      const d = openDate();
      sim.state.setFreeSeats(d.course_no, 0);
      const full = await rejection(client().createParticipant(person('o:1', d.course_no)));
      expect(full).toMatchObject({ kind: 'no_seats', status: 409, ambiguous: false, upstreamCode: 'no_free_seats' });
      expect(sim.state.participants(d.course_no)).toHaveLength(0);

      const cancelled = sim.state.courseDates().find((c) => c.status === 'cancelled')!;
      expect(await rejection(client().createParticipant(person('o:1', cancelled.course_no)))).toMatchObject({ kind: 'no_seats', upstreamCode: 'course_not_open' });
      expect(await rejection(client().createParticipant(person('o:1', '99999-99')))).toMatchObject({ kind: 'http', status: 404 });
    });

    it('never logs the token or personal data', async () => {
      const d = openDate();
      const c = client({ timeoutMs: 200 });
      await c.createParticipant(person('p:1', d.course_no));
      await c.createParticipant(person('p:1', d.course_no));
      sim.faults.acceptThenHangNext(1);
      await rejection(c.createParticipant(person('p:2', d.course_no)));
      sim.faults.malformedNext(1, { path: '/api/participant/' });
      await rejection(c.listParticipants(d.course_no));
      sim.faults.failNext(1);
      await c.listParticipants(d.course_no);
      const text = JSON.stringify({ logs, calls });
      expect(logs.length).toBeGreaterThan(3);
      for (const secret of [TOKEN, 'Karen', 'Sørensen', 'karen.sorensen', '12 34 56 78', 'Eksempel']) expect(text).not.toContain(secret);
    });
  });
});
