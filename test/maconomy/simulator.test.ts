// The Maconomy simulator itself: demo data, state helpers, the wire format it serves, and fault
// control over HTTP (for tests that run the app in another process).
import { wireCourseDateListSchema, wireMainCourseListSchema, MaconomyClient } from '../../src/integrations/maconomy/index.js';
import { startMaconomySimulator, demoData, generatedData, WALKTHROUGH_COURSE_NO, type MaconomySimulator } from '../../src/simulators/maconomy.js';

const NOW = new Date('2026-03-02T08:00:00Z');
const TOKEN = 'demo-maconomy-token';

describe('demo data', () => {
  it('is deterministic for (now, seed) and differs between seeds', () => {
    expect(demoData(NOW, 7)).toEqual(demoData(NOW, 7));
    expect(demoData(NOW, 7)).not.toEqual(demoData(NOW, 8));
  });

  it.each([1, 2, 3, 7, 42])('is a realistic Danish catalogue (seed %p)', async (seed) => {
    const sim = await startMaconomySimulator({ data: demoData(NOW, seed) });
    try {
      const mains = sim.state.mainCourses();
      const dates = sim.state.courseDates();
      expect(wireMainCourseListSchema.safeParse(mains).success).toBe(true);
      expect(wireCourseDateListSchema.safeParse(dates).success).toBe(true);
      expect(mains.length).toBeGreaterThanOrEqual(4);
      expect(mains.length).toBeLessThanOrEqual(6);
      expect(dates.length).toBeGreaterThanOrEqual(30);
      expect(dates.length).toBeLessThanOrEqual(60);
      expect(new Set(dates.map((d) => d.course_no)).size).toBe(dates.length);
      const sixMonths = NOW.getTime() + 190 * 86_400_000;
      for (const d of dates) {
        expect(d.course_no).toMatch(new RegExp(`^${d.main_course_no}-\\d{2}$`));
        expect(d.days.length).toBeGreaterThanOrEqual(1);
        expect(d.days.length).toBeLessThanOrEqual(3);
        expect(d.start_date).toBe(d.days[0]!.date);
        expect(d.end_date).toBe(d.days[d.days.length - 1]!.date);
        expect(Date.parse(d.start_date)).toBeGreaterThan(NOW.getTime());
        expect(Date.parse(d.end_date)).toBeLessThan(sixMonths);
        for (const day of d.days) expect([1, 2, 3, 4, 5]).toContain(new Date(`${day.date}T12:00:00Z`).getUTCDay());
        expect(d.capacity).toBeGreaterThanOrEqual(12);
        expect(d.capacity).toBeLessThanOrEqual(d.course_no === WALKTHROUGH_COURSE_NO ? 60 : 24);
        expect(d.price).toBeGreaterThanOrEqual(8900);
        expect(d.price).toBeLessThanOrEqual(24500);
        expect(d.currency).toBe('DKK');
      }
      expect(dates.filter((d) => d.status === 'cancelled')).toHaveLength(1);
      expect(dates.filter((d) => d.status === 'open' && d.free_seats === 0).length).toBeGreaterThanOrEqual(1);
      expect(dates.filter((d) => d.status === 'open' && (d.free_seats === 1 || d.free_seats === 2)).length).toBeGreaterThanOrEqual(1);
      expect(new Set(dates.map((d) => d.location)).size).toBeGreaterThanOrEqual(4);
      // The README's walk-through books this date (2 seats a run): room to repeat it many times.
      expect(dates.find((d) => d.course_no === WALKTHROUGH_COURSE_NO)).toMatchObject({ status: 'open', free_seats: 60 });
    } finally {
      await sim.close();
    }
  });

  it('generates many upcoming course dates with unique ids', () => {
    const data = generatedData(10_000, NOW);
    const ids = new Set(data.courseDates.map((d) => d.course_no));
    expect(ids.size).toBe(10_000);
    expect(data.courseDates.every((d) => /^\d{5}-\d{2}$/.test(d.course_no) && Date.parse(d.start_date) > NOW.getTime())).toBe(true);
    expect(generatedData(120, NOW)).toEqual(generatedData(120, NOW));
  });
});

describe('simulator', () => {
  let sim: MaconomySimulator;
  beforeAll(async () => {
    sim = await startMaconomySimulator({ data: demoData(NOW, 5) });
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(() => {
    sim.state.reset();
    sim.faults.clear();
  });

  const api = (path: string, init: RequestInit = {}, token = TOKEN) =>
    fetch(`${sim.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });

  it('checks the bearer token and answers JSON errors', async () => {
    const r = await api('/api/maincourse', {}, 'nope');
    expect(r.status).toBe(401);
    expect(await r.json()).toMatchObject({ error: 'unauthorized' });
    expect((await api('/api/nothing')).status).toBe(404);
  });

  it('serves unpaged and paged course lists', async () => {
    const all = (await (await api('/api/course')).json()) as unknown[];
    expect(Array.isArray(all)).toBe(true);
    const page: any = await (await api('/api/course?page=2&pageSize=10')).json();
    expect(page).toMatchObject({ total: all.length, page: 2, page_size: 10 });
    expect(page.items).toEqual(all.slice(10, 20));
    expect((await api('/api/course?page=0&pageSize=10')).status).toBe(400);
  });

  it('validates participant bodies and keeps seat counts', async () => {
    const d = sim.state.courseDates().find((c) => c.status === 'open' && c.free_seats >= 2)!;
    const bad = await api('/api/webparticipant', { method: 'POST', body: JSON.stringify({ course_no: d.course_no, external_ref: 'x' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).message).toContain('first_name');
    expect((await api('/api/webparticipant', { method: 'POST', body: '{not json' })).status).toBe(400);

    const body = { course_no: d.course_no, external_ref: 'r1', first_name: 'A', last_name: 'B', email: 'a@b.dk' };
    const ok = await api('/api/webparticipant', { method: 'POST', body: JSON.stringify(body) });
    expect(ok.status).toBe(201);
    const created: any = await ok.json();
    const dup = await api('/api/webparticipant', { method: 'POST', body: JSON.stringify(body) });
    expect(dup.status).toBe(409);
    expect(await dup.json()).toMatchObject({ error: 'duplicate_external_ref', participant_id: created.participant_id });
    expect(sim.state.courseDate(d.course_no)!.free_seats).toBe(d.free_seats - 1);
    const unknown = await api('/api/webparticipant', { method: 'POST', body: JSON.stringify({ ...body, course_no: '99999-99' }) });
    expect(unknown.status).toBe(404);
  });

  it('setFreeSeats, addCourseDate, updateCourseDate and removeCourseDate change what the API serves', async () => {
    const c = new MaconomyClient({ baseUrl: sim.url, token: TOKEN });
    const d = sim.state.courseDates()[0]!;
    sim.state.setFreeSeats(d.course_no, 3);
    expect((await c.getSeats(d.course_no))!.freeSeats).toBe(3);
    sim.state.setFreeSeats(d.course_no, d.capacity + 5); // more than capacity: capacity grows
    expect(await c.getSeats(d.course_no)).toMatchObject({ freeSeats: d.capacity + 5, capacity: d.capacity + 5 });

    const { free_seats: _free, ...rest } = d;
    sim.state.addCourseDate({ ...rest, course_no: `${d.main_course_no}-98`, free_seats: 4 });
    expect((await c.getSeats(`${d.main_course_no}-98`))!.freeSeats).toBe(4);
    sim.state.updateCourseDate(`${d.main_course_no}-98`, { status: 'closed' });
    expect((await c.getSeats(`${d.main_course_no}-98`))!.status).toBe('closed');
    expect(sim.state.removeCourseDate(`${d.main_course_no}-98`)).toBe(true);
    expect(await c.getSeats(`${d.main_course_no}-98`)).toBeNull();

    sim.state.reset();
    expect(sim.state.courseDate(d.course_no)).toEqual(d);
    expect(sim.state.requestCount()).toBe(0);
  });

  it('takes faults and resets over HTTP without auth', async () => {
    const c = new MaconomyClient({ baseUrl: sim.url, token: TOKEN, retries: 0, timeoutMs: 200 });
    const post = (path: string, body: unknown) => fetch(`${sim.url}${path}`, { method: 'POST', body: JSON.stringify(body) });

    expect((await post('/__sim/faults', { failNext: { n: 1, status: 500, path: '/api/maincourse' } })).status).toBe(200);
    await expect(c.listMainCourses()).rejects.toMatchObject({ kind: 'http', status: 500 });
    await expect(c.listMainCourses()).resolves.toHaveLength(sim.state.mainCourses().length);

    await post('/__sim/faults', { malformedNext: { n: 1 } });
    await expect(c.listMainCourses()).rejects.toMatchObject({ kind: 'malformed' });

    await post('/__sim/faults', { hangNext: { n: 1 } });
    await expect(c.listMainCourses()).rejects.toMatchObject({ kind: 'timeout' });

    const d = sim.state.courseDates().find((x) => x.status === 'open' && x.free_seats > 0)!;
    await post('/__sim/free-seats', { maconomyId: d.course_no, freeSeats: 1 });
    expect(sim.state.courseDate(d.course_no)!.free_seats).toBe(1);

    await post('/__sim/faults', { latencyMs: 300, failNext: { n: 5 } });
    expect(sim.faults.latencyMs).toBe(300);
    await post('/__sim/reset', {});
    expect(sim.faults.latencyMs).toBe(0);
    expect(sim.state.courseDate(d.course_no)!.free_seats).toBe(d.free_seats);
    await expect(c.listMainCourses()).resolves.toBeDefined();
    const count = await (await fetch(`${sim.url}/__sim/requests?prefix=/api/maincourse`)).json();
    expect(count).toEqual({ count: 1 });
  });

  it('closes promptly with hanging requests open', async () => {
    const s = await startMaconomySimulator();
    s.faults.hangNext(3);
    const pending = [1, 2, 3].map(() => fetch(`${s.url}/api/maincourse`).then(() => 'answered', () => 'failed'));
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await s.close();
    expect(Date.now() - started).toBeLessThan(1000);
    const results = await Promise.all(pending);
    expect(results).toEqual(['failed', 'failed', 'failed']);
  });
});
