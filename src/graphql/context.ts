// Per-request GraphQL context: one unit of work, request-scoped DataLoaders and the caller's role.
import DataLoader from 'dataloader';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { DomainError } from '../errors.js';
import type { Db, Em } from '../db/orm.js';
import {
  courseDatesById, daysByCourseDate, mainCoursesById, participantsByOrder, trainersByCourseDate,
  type CourseDateRow, type CourseDayRow, type MainCourseRow, type ParticipantRow, type TrainerRow,
} from '../catalog/read-model.js';
import type { BookingService } from '../booking/service.js';
import { shownSeatsByCourseDate } from '../booking/seats.js';
import { catalogueAt, heldCatalogue, versionAndSeats, type CatalogueSnapshot } from '../catalog/catalogue-memory.js';
import { tokenInList } from '../booking/tokens.js';
import type { StaffPrincipal } from '../staff/service.js';
import { authenticateCookie } from '../staff/session.js';
import type { FastifyRequest } from 'fastify';

export type Role = 'editor' | 'admin';

export interface Services {
  config: Config;
  db: Db;
  booking: BookingService;
  now: () => Date;
  /** The job store (admin queries, enqueueing); absent in processes without one. */
  jobs?: import('../jobs/runner.js').JobRunner;
  /** Called after editors change catalogue data (cache invalidation, WordPress push). */
  onCatalogChanged?: (courseDateIds: string[]) => void;
}

export interface GraphQLContext extends Services {
  em: Em;
  loaders: Loaders;
  /** null: anonymous; 'invalid': a bearer token was sent but is not known. */
  role: Role | null | 'invalid';
  /** The logged-in back-office user when the role comes from a session cookie (null for bearer tokens). */
  staff: StaffPrincipal | null;
  /** Why a session cookie gave no role (expired session, missing CSRF token), for the error message. */
  authProblem: { code: 'UNAUTHENTICATED' | 'FORBIDDEN'; message: string } | null;
  clientKey: string;
  log: FastifyBaseLogger;
}

/**
 * One unit of work per process for the storefront's plain-SQL reads (src/catalog/read-model.ts,
 * the seats, the catalogue's version): they go through its connection and never put an entity in
 * its identity map, so they need no unit of work of their own. Forking one per request cost a
 * MikroORM configuration sync (two process.env writes) and a new EntityManager for each answer.
 */
const readers = new WeakMap<Db, Em>();
export function readerOf(db: Db): Em {
  let em = readers.get(db);
  if (!em) readers.set(db, (em = db.em()));
  return em;
}

/**
 * The request's context. `em` (the request's own unit of work, for writes and entity reads) is
 * forked on first use: the storefront's reads never ask for it. (A getter on the prototype with its
 * state in an own object: Apollo copies the context with Object.assign, which would call an own
 * getter, and so fork, for every request.)
 */
class RequestContext {
  /** Shared with Apollo's copy of this context (Object.assign copies the reference). */
  private readonly unitOfWork: { em?: Em } = {};
  constructor(services: Services, values: Omit<GraphQLContext, keyof Services | 'em'>) {
    Object.assign(this, services, values);
  }
  get em(): Em {
    return (this.unitOfWork.em ??= (this as unknown as GraphQLContext).db.em());
  }
}

export function createContext(services: Services, caller: Pick<GraphQLContext, 'role' | 'staff' | 'authProblem'>, clientKey: string, log: FastifyBaseLogger): GraphQLContext {
  const values = { loaders: createLoaders(readerOf(services.db), services.now), role: caller.role, staff: caller.staff, authProblem: caller.authProblem, clientKey, log };
  return new RequestContext(services, values) as unknown as GraphQLContext;
}

// Read-only rows, not managed entities (src/catalog/read-model.ts): one query per field per
// request for all the parents that ask (DataLoader), no hydration. Course dates, their days,
// trainers and main courses come from the catalogue in memory (src/catalog/catalogue-memory.ts),
// read at most once per request; the seats and an order's participants from SQL. `em`: a unit of
// work used for plain-SQL reads only (readerOf). The DataLoaders are made when first asked for
// (a listing or course(id) uses none of them).
export function createLoaders(em: Em, now: () => Date) {
  /** The seats read together with the catalogue's version: answered without a promise each. */
  const shownSeats = new Map<string, number>();
  let snapshot: Promise<CatalogueSnapshot | null> | undefined;
  let loaded: CatalogueSnapshot | null = null;
  /**
   * The request's copy of the catalogue, read once per request. `shows`: which course dates the
   * caller will show, given a copy. Their seats are read in the same statement as the version,
   * for the dates the copy already in memory says; when that copy turns out to be current, they
   * are answered from there (knownSeats, no promise each) and nothing more is asked (one statement
   * per read, not two).
   */
  const catalogue = (shows?: (cat: CatalogueSnapshot) => readonly string[]) =>
    (snapshot ??= (async () => {
      const held = heldCatalogue(em);
      let ids: readonly string[] = [];
      if (held && shows) {
        try {
          ids = shows(held);
        } catch {
          ids = []; // bad input: the resolver reports it
        }
      }
      const { version, seats } = await versionAndSeats(em, ids, now());
      if (version === null) return null;
      const cat = held?.version === version ? held : await catalogueAt(em, version);
      if (cat === held) for (const id of ids) shownSeats.set(id, seats.get(id) ?? 0);
      loaded = cat;
      return cat;
    })());
  let days: DataLoader<string, CourseDayRow[]> | undefined;
  let trainers: DataLoader<string, TrainerRow[]> | undefined;
  let mainCourse: DataLoader<string, MainCourseRow | null> | undefined;
  let courseDate: DataLoader<string, CourseDateRow | null> | undefined;
  let seatsLeft: DataLoader<string, number> | undefined;
  let participants: DataLoader<string, ParticipantRow[]> | undefined;
  const loaders = {
    catalogue,
    /** The plain-SQL reader (readerOf): for the storefront's reads that go to SQL. */
    reader: em,
    /**
     * The request's copy of the catalogue once a resolver above has read it (the listing, course()),
     * else null: the field resolvers of its course dates answer from it without a promise each.
     */
    loadedCatalogue: (): CatalogueSnapshot | null => loaded,
    get days() {
      return (days ??= new DataLoader<string, CourseDayRow[]>(async (ids) => {
        const cat = await catalogue();
        const byDate = cat ? cat.days : await daysByCourseDate(em, ids);
        return ids.map((id) => byDate.get(id) ?? []);
      }));
    },
    get trainers() {
      return (trainers ??= new DataLoader<string, TrainerRow[]>(async (ids) => {
        const cat = await catalogue();
        const byDate = cat ? cat.trainers : await trainersByCourseDate(em, ids);
        return ids.map((id) => byDate.get(id) ?? []);
      }));
    },
    get mainCourse() {
      return (mainCourse ??= new DataLoader<string, MainCourseRow | null>(async (ids) => {
        const cat = await catalogue();
        const found = cat ? cat.mainCourses : new Map((await mainCoursesById(em, ids)).map((m) => [m.id, m]));
        return ids.map((id) => found.get(id) ?? null);
      }));
    },
    get courseDate() {
      return (courseDate ??= new DataLoader<string, CourseDateRow | null>(async (ids) => {
        const cat = await catalogue();
        const found = cat ? cat.byId : new Map((await courseDatesById(em, ids)).map((m) => [m.id, m]));
        return ids.map((id) => found.get(id) ?? null);
      }));
    },
    /** The seats of a course date when they were read with the catalogue's version, else undefined (ask seatsLeft). */
    knownSeats: (id: string): number | undefined => shownSeats.get(id),
    get seatsLeft() {
      return (seatsLeft ??= new DataLoader<string, number>(async (ids) => {
        const left = await shownSeatsByCourseDate(em, ids, now());
        return ids.map((id) => left.get(id) ?? 0);
      }));
    },
    get participants() {
      return (participants ??= new DataLoader<string, ParticipantRow[]>(async (ids) => {
        const byOrder = await participantsByOrder(em, ids);
        return ids.map((id) => byOrder.get(id) ?? []);
      }));
    },
  };
  return loaders;
}
export type Loaders = ReturnType<typeof createLoaders>;

export function roleFromAuthorization(header: string | undefined, config: Config): Role | null | 'invalid' {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) return 'invalid';
  const token = match[1]!;
  if (tokenInList(token, config.adminTokens)) return 'admin';
  if (tokenInList(token, config.editorTokens)) return 'editor';
  return 'invalid';
}

/**
 * The caller's role: a bearer token when the request has an Authorization header (machine clients),
 * else a back-office session cookie together with its CSRF token (src/staff/session.ts).
 */
const ANONYMOUS: Pick<GraphQLContext, 'role' | 'staff' | 'authProblem'> = Object.freeze({ role: null, staff: null, authProblem: null });

export async function callerOf(request: FastifyRequest, services: Services): Promise<Pick<GraphQLContext, 'role' | 'staff' | 'authProblem'>> {
  if (request.headers.authorization) return { role: roleFromAuthorization(request.headers.authorization, services.config), staff: null, authProblem: null };
  if (request.headers.cookie === undefined) return ANONYMOUS; // the storefront: no session to look up
  const auth = await authenticateCookie(request, services);
  switch (auth.kind) {
    case 'ok':
      return { role: auth.staff.role, staff: auth.staff, authProblem: null };
    case 'csrf':
      return { role: null, staff: null, authProblem: { code: 'FORBIDDEN', message: 'a request with the back-office session cookie must send its X-CSRF-Token header (GET /admin/api/session gives it)' } };
    case 'expired':
      return { role: null, staff: null, authProblem: { code: 'UNAUTHENTICATED', message: 'the back-office session has ended (logged out, expired or the account was disabled): log in again' } };
    default:
      return { role: null, staff: null, authProblem: null };
  }
}

/** Refuses the operation unless the caller has `role` (admins may do everything editors may). */
export function requireRole(ctx: Pick<GraphQLContext, 'role' | 'authProblem'>, role: Role): void {
  if (ctx.role === 'invalid') throw new DomainError('UNAUTHENTICATED', 'the bearer token is not known');
  if (ctx.role === null) {
    if (ctx.authProblem) throw new DomainError(ctx.authProblem.code, ctx.authProblem.message);
    throw new DomainError('UNAUTHENTICATED', `this operation needs an ${role} token (Authorization: Bearer <token>) or a back-office login`);
  }
  if (role === 'admin' && ctx.role !== 'admin') throw new DomainError('FORBIDDEN', 'this operation is for admins; editors cannot use it');
}

/** Who made a change, for the audit trail. */
export const actorOf = (ctx: Pick<GraphQLContext, 'role' | 'staff'>): string => ctx.staff?.email ?? `token:${String(ctx.role)}`;
