// Loopback simulator of the Maconomy REST API (wire format in ../integrations/maconomy/schemas.ts),
// for demo mode and tests. Keeps course dates and participants in memory, checks the bearer token,
// and can inject faults (errors, malformed bodies, hangs, accept-then-hang) in-process or over
// HTTP via /__sim/* (no auth), so tests that run the app in another process can use them too.
import { loadState, saveState } from './state-file.js';
import http from 'node:http';
import {
  wireParticipantInputSchema,
  describeIssue,
  type WireCourseDate,
  type WireCourseDatePage,
  type WireMainCourse,
  type WireParticipant,
  type WireSeatInfo,
} from '../integrations/maconomy/schemas.js';

/** A course date as the simulator stores it: free seats are derived, not stored. */
export type SimCourseDate = Omit<WireCourseDate, 'free_seats'> & {
  /** Seats taken by participants created outside this simulator (other sales channels). */
  taken_elsewhere?: number;
  /** Alternative to taken_elsewhere when adding data: the free seats to start with. */
  free_seats?: number;
};

export interface SimulatorData {
  mainCourses: WireMainCourse[];
  courseDates: SimCourseDate[];
}

export interface SimulatorState {
  mainCourses(): WireMainCourse[];
  courseDates(): WireCourseDate[];
  courseDate(maconomyId: string): WireCourseDate | undefined;
  /** Makes free seats exactly n: adjusts the "taken elsewhere" count, or raises capacity if needed. */
  setFreeSeats(maconomyId: string, n: number): void;
  addMainCourse(mainCourse: WireMainCourse): void;
  addCourseDate(courseDate: SimCourseDate): void;
  updateCourseDate(maconomyId: string, patch: Partial<Omit<SimCourseDate, 'course_no'>>): void;
  removeCourseDate(maconomyId: string): boolean;
  participants(maconomyId: string): WireParticipant[];
  /** API requests received (not /__sim), optionally only those whose path starts with the prefix. */
  requestCount(pathPrefix?: string): number;
  /** Back to the given data (default: the data the simulator started with); clears participants and counters. */
  reset(data?: SimulatorData): void;
}

export interface FaultOptions {
  /** Only requests whose path starts with this prefix, e.g. `/api/course/`. */
  path?: string;
}

export interface FaultControl {
  /** Delay added to every API request. */
  latencyMs: number;
  /** The next n matching requests answer `status` (default 503). */
  failNext(n: number, opts?: FaultOptions & { status?: number }): void;
  /** The next n matching requests answer their normal status with a body that fails validation (`raw`: this text instead). */
  malformedNext(n: number, opts?: FaultOptions & { raw?: string }): void;
  /** The next n matching requests never get an answer. */
  hangNext(n: number, opts?: FaultOptions): void;
  /** The next n successful POST /api/webparticipant create the participant, then never answer. */
  acceptThenHangNext(n: number): void;
  /**
   * true (the default): a second POST /api/webparticipant with an external_ref already on the
   * course date answers 409 duplicate_external_ref. false: it creates another participant, like a
   * Maconomy that does not deduplicate, so exactly-once tests count what the client really sent.
   */
  dedupeExternalRef: boolean;
  /** Removes all pending faults and restores latencyMs and dedupeExternalRef to the start options. */
  clear(): void;
}

export interface MaconomySimulatorOptions {
  port?: number;
  host?: string;
  token?: string;
  data?: SimulatorData;
  latencyMs?: number;
  /** See FaultControl.dedupeExternalRef. Default true. */
  dedupeExternalRef?: boolean;
  /** Keep the course dates, seats and participants in this file across restarts (the demo). */
  statePath?: string;
}

/** What survives a restart of the demo (src/simulators/state-file.ts). */
interface SavedState {
  mainCourses: WireMainCourse[];
  dates: DateState[];
  participantSeq: number;
}

export interface MaconomySimulator {
  url: string;
  port: number;
  close(): Promise<void>;
  state: SimulatorState;
  faults: FaultControl;
}

interface DateState {
  cd: Omit<WireCourseDate, 'free_seats'>;
  takenElsewhere: number;
  participants: WireParticipant[];
}

interface Fault {
  remaining: number;
  path?: string;
  status?: number;
  raw?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error: string; message?: string },
  ) {
    super(body.message ?? body.error);
  }
}

const MAX_BODY_BYTES = 1_000_000;

// Long by design (~300 lines): one closure per simulator holds its state, fault queues and HTTP
// handler, so tests can drive all three through the returned object; the handler is a flat table
// of the API's routes in the order of the API document, easier to check against it than split up.
export async function startMaconomySimulator(opts: MaconomySimulatorOptions = {}): Promise<MaconomySimulator> {
  const token = opts.token ?? 'demo-maconomy-token';
  const host = opts.host ?? '127.0.0.1';
  const initialData = clone(opts.data ?? demoData());

  let mainCourses: WireMainCourse[] = [];
  const dates = new Map<string, DateState>();
  const counts = new Map<string, number>();
  let participantSeq = 0;

  const toDateState = (c: SimCourseDate): DateState => {
    const { taken_elsewhere, free_seats, ...cd } = clone(c);
    const taken = taken_elsewhere ?? (free_seats !== undefined ? cd.capacity - free_seats : 0);
    return { cd, takenElsewhere: Math.max(0, taken), participants: [] };
  };
  const freeSeats = (d: DateState) => Math.max(0, d.cd.capacity - d.takenElsewhere - d.participants.length);
  const wireDate = (d: DateState): WireCourseDate => ({ ...clone(d.cd), free_seats: freeSeats(d) });
  const mustGet = (id: string) => {
    const d = dates.get(id);
    if (!d) throw new Error(`simulator: unknown course date ${id}`);
    return d;
  };

  const state: SimulatorState = {
    mainCourses: () => clone(mainCourses),
    courseDates: () => [...dates.values()].map(wireDate),
    courseDate: (id) => {
      const d = dates.get(id);
      return d ? wireDate(d) : undefined;
    },
    setFreeSeats(id, n) {
      if (!Number.isInteger(n) || n < 0) throw new Error('simulator: free seats must be a non-negative integer');
      const d = mustGet(id);
      const taken = d.cd.capacity - d.participants.length - n;
      if (taken >= 0) d.takenElsewhere = taken;
      else {
        d.cd.capacity = d.participants.length + n;
        d.takenElsewhere = 0;
      }
    },
    addMainCourse(mc) {
      mainCourses = mainCourses.filter((m) => m.main_course_no !== mc.main_course_no).concat(clone(mc));
    },
    addCourseDate(c) {
      if (dates.has(c.course_no)) throw new Error(`simulator: course date ${c.course_no} already exists`);
      dates.set(c.course_no, toDateState(c));
    },
    updateCourseDate(id, patch) {
      const d = mustGet(id);
      const { taken_elsewhere, free_seats, ...rest } = clone(patch);
      Object.assign(d.cd, rest);
      if (taken_elsewhere !== undefined) d.takenElsewhere = taken_elsewhere;
      if (free_seats !== undefined) state.setFreeSeats(id, free_seats);
    },
    removeCourseDate: (id) => dates.delete(id),
    participants: (id) => clone(dates.get(id)?.participants ?? []),
    requestCount(prefix) {
      let n = 0;
      for (const [path, c] of counts) if (!prefix || path.startsWith(prefix)) n += c;
      return n;
    },
    reset(data) {
      const d = clone(data ?? initialData);
      mainCourses = d.mainCourses;
      dates.clear();
      for (const c of d.courseDates) dates.set(c.course_no, toDateState(c));
      counts.clear();
      participantSeq = 0;
    },
  };
  state.reset();
  const saved = loadState<SavedState>(opts.statePath);
  if (saved) {
    mainCourses = saved.mainCourses;
    for (const d of saved.dates) dates.set(d.cd.course_no, d);
    participantSeq = saved.participantSeq;
  }
  const persist = () => saveState(opts.statePath, { mainCourses, dates: [...dates.values()], participantSeq } satisfies SavedState);
  if (!saved) persist();

  // ---- faults ---------------------------------------------------------------------------------
  const queues = { fail: [] as Fault[], malformed: [] as Fault[], hang: [] as Fault[], acceptThenHang: [] as Fault[] };
  const push = (q: Fault[], n: number, f: Omit<Fault, 'remaining'>) => {
    if (Number.isInteger(n) && n > 0) q.push({ remaining: n, ...f });
  };
  const take = (q: Fault[], path: string): Fault | undefined => {
    const f = q.find((x) => x.remaining > 0 && (!x.path || path.startsWith(x.path)));
    if (!f) return undefined;
    f.remaining--;
    if (f.remaining === 0) q.splice(q.indexOf(f), 1);
    return f;
  };
  const faults: FaultControl = {
    latencyMs: opts.latencyMs ?? 0,
    failNext: (n, o = {}) => push(queues.fail, n, { path: o.path, status: o.status ?? 503 }),
    malformedNext: (n, o = {}) => push(queues.malformed, n, { path: o.path, raw: o.raw }),
    hangNext: (n, o = {}) => push(queues.hang, n, { path: o.path }),
    acceptThenHangNext: (n) => push(queues.acceptThenHang, n, {}),
    dedupeExternalRef: opts.dedupeExternalRef ?? true,
    clear() {
      for (const q of Object.values(queues)) q.length = 0;
      faults.latencyMs = opts.latencyMs ?? 0;
      faults.dedupeExternalRef = opts.dedupeExternalRef ?? true;
    },
  };

  // ---- API ------------------------------------------------------------------------------------
  function createParticipant(body: unknown): { status: number; body: unknown; created: boolean } {
    const parsed = wireParticipantInputSchema.safeParse(body);
    if (!parsed.success) throw new HttpError(400, { error: 'invalid_body', message: describeIssue(parsed.error).message });
    const input = parsed.data;
    const d = dates.get(input.course_no);
    if (!d) throw new HttpError(404, { error: 'not_found', message: `course date ${input.course_no} does not exist` });
    const existing = faults.dedupeExternalRef ? d.participants.find((p) => p.external_ref === input.external_ref) : undefined;
    if (existing) {
      return { status: 409, body: { error: 'duplicate_external_ref', participant_id: existing.participant_id, message: 'external_ref already registered on this course date' }, created: false };
    }
    if (d.cd.status !== 'open') throw new HttpError(409, { error: 'course_not_open', message: `course date is ${d.cd.status}` });
    if (freeSeats(d) <= 0) throw new HttpError(409, { error: 'no_free_seats', message: 'no free seats on this course date' });
    participantSeq++;
    const participant: WireParticipant = {
      participant_id: String(700000 + participantSeq),
      course_no: input.course_no,
      external_ref: input.external_ref,
      first_name: input.first_name,
      last_name: input.last_name,
      email: input.email,
      phone: input.phone ?? null,
      company: input.company ?? null,
    };
    d.participants.push(participant);
    return { status: 201, body: clone(participant), created: true };
  }

  function route(method: string, url: URL, body: unknown): { status: number; body: unknown; created?: boolean } {
    const path = url.pathname;
    const seg = path.split('/').filter(Boolean); // ['api', 'course', '25172-04']
    if (seg[0] !== 'api') throw new HttpError(404, { error: 'not_found' });
    const resource = seg[1];
    const id = seg[2] !== undefined ? decodeURIComponent(seg[2]) : undefined;
    const expect = (m: string) => {
      if (method !== m) throw new HttpError(405, { error: 'method_not_allowed' });
    };

    if (resource === 'maincourse' && seg.length === 2) {
      expect('GET');
      return { status: 200, body: clone(mainCourses) };
    }
    if (resource === 'course' && seg.length === 2) {
      expect('GET');
      const all = state.courseDates();
      const pageParam = url.searchParams.get('page');
      const sizeParam = url.searchParams.get('pageSize');
      if (pageParam === null && sizeParam === null) return { status: 200, body: all };
      const page = Number(pageParam ?? '1');
      const pageSize = Number(sizeParam ?? '100');
      if (!Number.isInteger(page) || page < 1 || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 5000) {
        throw new HttpError(400, { error: 'invalid_paging', message: 'page >= 1 and 1 <= pageSize <= 5000' });
      }
      const result: WireCourseDatePage = { items: all.slice((page - 1) * pageSize, page * pageSize), total: all.length, page, page_size: pageSize };
      return { status: 200, body: result };
    }
    if (resource === 'course' && seg.length === 3 && id !== undefined) {
      expect('GET');
      const d = dates.get(id);
      if (!d) throw new HttpError(404, { error: 'not_found', message: `course date ${id} does not exist` });
      const seats: WireSeatInfo = { course_no: d.cd.course_no, capacity: d.cd.capacity, free_seats: freeSeats(d), status: d.cd.status };
      return { status: 200, body: seats };
    }
    if (resource === 'participant' && seg.length === 3 && id !== undefined) {
      expect('GET');
      const d = dates.get(id);
      if (!d) throw new HttpError(404, { error: 'not_found', message: `course date ${id} does not exist` });
      return { status: 200, body: clone(d.participants) };
    }
    if (resource === 'webparticipant' && seg.length === 2) {
      expect('POST');
      return createParticipant(body);
    }
    throw new HttpError(404, { error: 'not_found' });
  }

  // ---- /__sim admin ---------------------------------------------------------------------------
  function admin(method: string, url: URL, body: any): { status: number; body: unknown } {
    const path = url.pathname;
    if (method === 'POST' && path === '/__sim/faults') {
      const b = body ?? {};
      if (b.clear) faults.clear();
      if (typeof b.latencyMs === 'number') faults.latencyMs = b.latencyMs;
      if (b.failNext) faults.failNext(Number(b.failNext.n ?? 1), { status: b.failNext.status, path: b.failNext.path });
      if (b.malformedNext) faults.malformedNext(Number(b.malformedNext.n ?? 1), { path: b.malformedNext.path, raw: b.malformedNext.raw });
      if (b.hangNext) faults.hangNext(Number(b.hangNext.n ?? 1), { path: b.hangNext.path });
      if (b.acceptThenHangNext) faults.acceptThenHangNext(Number(b.acceptThenHangNext.n ?? b.acceptThenHangNext));
      if (typeof b.dedupeExternalRef === 'boolean') faults.dedupeExternalRef = b.dedupeExternalRef;
      return { status: 200, body: { ok: true } };
    }
    if (method === 'POST' && path === '/__sim/reset') {
      state.reset(body?.data);
      faults.clear();
      return { status: 200, body: { ok: true } };
    }
    if (method === 'POST' && path === '/__sim/free-seats') {
      state.setFreeSeats(String(body?.maconomyId), Number(body?.freeSeats));
      return { status: 200, body: state.courseDate(String(body?.maconomyId)) };
    }
    if (method === 'GET' && path.startsWith('/__sim/participants/')) {
      return { status: 200, body: state.participants(decodeURIComponent(path.slice('/__sim/participants/'.length))) };
    }
    if (method === 'GET' && path === '/__sim/requests') {
      return { status: 200, body: { count: state.requestCount(url.searchParams.get('prefix') ?? undefined) } };
    }
    throw new HttpError(404, { error: 'not_found' });
  }

  // ---- server ---------------------------------------------------------------------------------
  let closed = false;
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const send = (res: http.ServerResponse, status: number, body: unknown, raw?: string) => {
    if (closed || res.writableEnded || res.destroyed) return;
    const text = raw ?? JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (err instanceof HttpError) send(res, err.status, err.body);
      else send(res, 500, { error: 'internal', message: (err as Error).message });
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    let body: unknown;
    if (raw.length) {
      try {
        body = JSON.parse(raw);
      } catch {
        throw new HttpError(400, { error: 'invalid_json', message: 'the body is not JSON' });
      }
    }
    if (url.pathname.startsWith('/__sim/')) {
      const r = admin(method, url, body);
      if (method !== 'GET') persist();
      return send(res, r.status, r.body);
    }

    const path = url.pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    if (closed) return;
    if (take(queues.hang, path)) return; // never answered; close() destroys the socket
    const fail = take(queues.fail, path);
    if (fail) return send(res, fail.status ?? 503, { error: 'unavailable', message: 'simulated failure' });
    if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, { error: 'unauthorized', message: 'missing or invalid bearer token' });

    const malformed = take(queues.malformed, path);
    let result: { status: number; body: unknown; created?: boolean };
    try {
      result = route(method, url, body);
      if (method !== 'GET') persist();
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      result = { status: err.status, body: err.body };
    }
    if (result.created && take(queues.acceptThenHang, path)) return;
    if (malformed) return send(res, result.status, malformed.raw === undefined ? corrupt(result.body) : null, malformed.raw);
    send(res, result.status, result.body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    state,
    faults,
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hung requests and keep-alive sockets would otherwise keep close() (and the test run) waiting.
        server.closeAllConnections();
      });
    },
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, { error: 'body_too_large' }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A copy of a response body that fails the client's validation: one field gets the wrong type. */
function corrupt(body: unknown): unknown {
  const copy = clone(body);
  const target = Array.isArray(copy) ? copy[0] : isObject(copy) && Array.isArray(copy.items) ? copy.items[0] : copy;
  if (!isObject(target)) {
    if (Array.isArray(copy)) return { unexpected: 'an object instead of a list' };
    if (isObject(copy) && Array.isArray(copy.items)) return { ...copy, items: 'not a list' };
    return 42;
  }
  if (typeof target.capacity === 'number') {
    target.capacity = String(target.capacity);
    return copy;
  }
  const key = Object.keys(target).find((k) => typeof target[k] === 'string');
  if (key) target[key] = 12345;
  else target.unexpected = true;
  return copy;
}

function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

// ---- demo data ----------------------------------------------------------------------------------

/** mulberry32: tiny seeded PRNG, so demo data is the same for the same (now, seed). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const utcMidnight = (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());

/** Course days on consecutive weekdays, starting on or after `fromMs` so that all days fall Mon-Fri of one week. */
function courseDays(fromMs: number, count: number): WireCourseDate['days'] {
  let start = fromMs;
  // getUTCDay: 0 Sunday .. 6 Saturday; the first day must leave room for `count` weekdays.
  while (((new Date(start).getUTCDay() + 6) % 7) + count > 5) start += DAY_MS;
  return Array.from({ length: count }, (_, i) => ({
    date: isoDate(start + i * DAY_MS),
    start_time: '09:00',
    end_time: i === count - 1 && count > 1 ? '15:00' : '16:00',
  }));
}

const LOCATIONS = ['København', 'Aarhus', 'Odense', 'Aalborg', 'Kolding', 'Vejle', 'Roskilde', 'Herning'];

const DEMO_MAIN_COURSES: { no: string; title: string; description: string | null; category: string | null; days: number; price: number }[] = [
  { no: '25172', title: 'Projektledelse i praksis', description: 'Planlæg, styr og afslut projekter med velafprøvede værktøjer og masser af øvelser.', category: 'Projektledelse', days: 3, price: 18500 },
  { no: '25180', title: 'Agil projektledelse med Scrum', description: 'Roller, artefakter og ceremonier i Scrum, og hvordan de bruges i virkelige projekter.', category: 'Projektledelse', days: 2, price: 14900 },
  { no: '25203', title: 'Lean og forbedringsarbejde', description: 'Skab flow og fjern spild med Lean-principper og tavlemøder.', category: 'Lean', days: 2, price: 12500 },
  { no: '25211', title: 'Forandringsledelse', description: 'Led mennesker gennem forandringer: modstand, kommunikation og forankring.', category: 'Ledelse', days: 3, price: 24500 },
  { no: '25236', title: 'Kommunikation og konflikthåndtering', description: null, category: 'Personlig udvikling', days: 1, price: 8900 },
  { no: '25248', title: 'Facilitering af workshops', description: 'Design og led workshops, der skaber resultater.', category: null, days: 1, price: 9750 },
];

/** Danish demo catalogue: 6 main courses, 30-60 course dates over the ~6 months after `now`. */
/** The course date the README's walk-through books (first date of the first demo main course): 60 seats, none taken. */
export const WALKTHROUGH_COURSE_NO = '25172-01';

export function demoData(now: Date = new Date(), seed = 1): SimulatorData {
  const rand = prng(seed);
  const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
  const today = utcMidnight(now);
  const mainCourses: WireMainCourse[] = DEMO_MAIN_COURSES.map((m) => ({ main_course_no: m.no, title: m.title, description: m.description, category: m.category }));
  const courseDates: SimCourseDate[] = [];
  for (const m of DEMO_MAIN_COURSES) {
    const count = int(5, 10);
    const days = Array.from({ length: count }, () => courseDays(today + int(7, 180) * DAY_MS, m.days)).sort((a, b) => a[0]!.date.localeCompare(b[0]!.date));
    days.forEach((d, i) => {
      const capacity = int(12, 24);
      courseDates.push({
        course_no: `${m.no}-${String(i + 1).padStart(2, '0')}`,
        main_course_no: m.no,
        title: m.title,
        start_date: d[0]!.date,
        end_date: d[d.length - 1]!.date,
        location: LOCATIONS[int(0, LOCATIONS.length - 1)]!,
        price: m.price,
        currency: 'DKK',
        capacity,
        taken_elsewhere: int(0, Math.floor(capacity * 0.6)),
        status: 'open',
        days: d,
      });
    });
  }
  // A few special cases, picked deterministically: 1 cancelled, 2 sold out, 3 nearly full; never
  // the walk-through's date (the README books it), which has room to repeat the walk-through.
  const order = courseDates.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const walkThrough = courseDates.find((c) => c.course_no === WALKTHROUGH_COURSE_NO)!;
  Object.assign(walkThrough, { capacity: 60, taken_elsewhere: 0, status: 'open' });
  const [cancelled, soldOut1, soldOut2, near1, near2, near3] = order.map((i) => courseDates[i]!).filter((c) => c !== walkThrough);
  cancelled!.status = 'cancelled';
  for (const c of [soldOut1!, soldOut2!]) c.taken_elsewhere = c.capacity;
  for (const c of [near1!, near2!, near3!]) c.taken_elsewhere = c.capacity - int(1, 2);
  return { mainCourses, courseDates };
}

const GENERATED_TOPICS = [
  'Projektledelse', 'Lean', 'Forandringsledelse', 'Scrum', 'Kommunikation', 'Facilitering', 'Excel', 'Power BI',
  'Kontraktstyring', 'Indkøb', 'Økonomistyring', 'Personaleledelse', 'Coaching', 'Præsentationsteknik', 'Mødeledelse', 'Tidsstyring',
];

/** Many course dates (e.g. 10,000 for import benchmarks), all upcoming, ~50 per main course. Deterministic for (n, now). */
export function generatedData(courseDates: number, now: Date = new Date()): SimulatorData {
  const rand = prng(42);
  const mainCount = Math.max(1, Math.ceil(courseDates / 50));
  const today = utcMidnight(now);
  const mainCourses: WireMainCourse[] = Array.from({ length: mainCount }, (_, i) => {
    const topic = GENERATED_TOPICS[i % GENERATED_TOPICS.length]!;
    const round = Math.floor(i / GENERATED_TOPICS.length);
    return {
      main_course_no: String(30000 + i),
      title: `${topic} ${round ? `niveau ${round + 1}` : 'grundkursus'}`,
      description: i % 5 === 0 ? null : `${topic}: et praktisk kursus.`,
      category: i % 7 === 0 ? null : topic,
    };
  });
  const dates: SimCourseDate[] = [];
  for (let j = 0; j < courseDates; j++) {
    const m = j % mainCount;
    const suffix = Math.floor(j / mainCount) + 1;
    const d = courseDays(today + (2 + Math.floor((j * 360) / Math.max(1, courseDates))) * DAY_MS, 1 + (m % 3));
    const capacity = 12 + Math.floor(rand() * 13);
    dates.push({
      course_no: `${30000 + m}-${String(suffix).padStart(2, '0')}`,
      main_course_no: String(30000 + m),
      title: mainCourses[m]!.title,
      start_date: d[0]!.date,
      end_date: d[d.length - 1]!.date,
      location: LOCATIONS[Math.floor(rand() * LOCATIONS.length)]!,
      price: 7900 + 500 * Math.floor(rand() * 34),
      currency: 'DKK',
      capacity,
      taken_elsewhere: j % 10 === 3 ? capacity : Math.floor(rand() * capacity * 0.6),
      status: j % 97 === 13 ? 'cancelled' : 'open',
      days: d,
    });
  }
  return { mainCourses, courseDates: dates };
}
