// Fresh free-seat answers from Maconomy for the booking engine, each tagged with the course date's
// sync sequence read before the question was sent (see seats.ts for why the tag replaces times).
//
// Concurrent questions about one date with the same tag share one request, and an answer is
// reused for `cacheMs` only while the date's sequence is unchanged: a sync committed by any
// process (the database is the channel) makes every process ask again. Every answer that came
// from Maconomy is stored as the date's shown count.
import type { Em } from '../db/orm.js';
import { storeMaconomyAnswer, syncSeqs } from './seats.js';

export interface SeatInfoLike {
  freeSeats: number;
  capacity: number;
  status: string;
  fetchedAt: Date;
}

/** What the booking engine needs from Maconomy: the free seats of one course date. */
export interface SeatSource {
  getSeats(maconomyId: string, opts?: { purpose?: 'storefront' | 'background' }): Promise<SeatInfoLike | null>;
}

export interface SeatAnswer extends SeatInfoLike {
  /** The course date's sync_seq read before Maconomy was asked. */
  seq: number;
}

export interface SeatReaderDeps {
  maconomy: SeatSource;
  /** How long an answer is reused while the date's sync sequence is unchanged; 0: never. */
  cacheMs: number;
  log?: { warn(o: object, m?: string): void };
  clock?: () => number;
}

export interface SeatRead {
  /** Skip the reuse of a recent answer (checkout re-check, reconciliation, refresh after a sync). */
  fresh?: boolean;
  /** storefront: under the storefront deadline and circuit breaker; background: the jobs' own. */
  purpose?: 'storefront' | 'background';
  /** Store a fresh answer as the date's shown count (default); false when the caller stores it itself. */
  store?: boolean;
}

type CourseDateRef = { id: string; maconomyId: string };

export function createSeatReader(deps: SeatReaderDeps) {
  const clock = deps.clock ?? Date.now;
  const recent = new Map<string, { answer: SeatAnswer | null; expires: number }>();
  const inflight = new Map<string, Promise<SeatAnswer | null>>();

  async function ask(em: Em, courseDate: CourseDateRef, seq: number, purpose: 'storefront' | 'background', store: boolean): Promise<SeatAnswer | null> {
    // A request of its own, sent after our sequence read (the client never caches or shares one).
    const info = await deps.maconomy.getSeats(courseDate.maconomyId, { purpose });
    const answer = info ? { freeSeats: info.freeSeats, capacity: info.capacity, status: info.status, fetchedAt: info.fetchedAt, seq } : null;
    if (answer && store) {
      try {
        await storeMaconomyAnswer(em.fork(), courseDate.id, answer);
      } catch (err) {
        deps.log?.warn({ err, courseDateId: courseDate.id }, 'could not store the fresh Maconomy seat count');
      }
    }
    return answer;
  }

  /** Maconomy's free seats of one course date, tagged; null when Maconomy does not know the date. */
  async function read(em: Em, courseDate: CourseDateRef, opts: SeatRead = {}): Promise<SeatAnswer | null> {
    const seq = (await syncSeqs(em, [courseDate.id])).get(courseDate.id) ?? 0;
    return readTagged(em, courseDate, seq, opts);
  }

  /**
   * A recent answer about the date (within `cacheMs` of its question), without reading the date's
   * sequence: the caller may use it only where the date's sync_seq still equals the answer's tag
   * (the hold checks that in its lock statement, under the lock), the same rule `read` applies
   * before reusing an answer, one query fewer.
   */
  function recentAnswer(courseDateId: string): SeatAnswer | null {
    if (deps.cacheMs <= 0) return null;
    const kept = recent.get(courseDateId);
    return kept?.answer && kept.expires > clock() ? { ...kept.answer } : null;
  }

  /** As `read`, with the sequence already read (a batch of dates: reconciliation). */
  async function readTagged(em: Em, courseDate: CourseDateRef, seq: number, opts: SeatRead = {}): Promise<SeatAnswer | null> {
    if (!opts.fresh && deps.cacheMs > 0) {
      const kept = recent.get(courseDate.id);
      if (kept && kept.answer?.seq === seq && kept.expires > clock()) return kept.answer && { ...kept.answer };
    }
    // A reader that stores joins only a request that stores (a hold stores through its lock).
    const key = `${courseDate.id}:${seq}:${opts.store !== false ? 's' : 'n'}`;
    let pending = inflight.get(key);
    if (!pending) {
      const sentAt = clock();
      pending = ask(em, courseDate, seq, opts.purpose ?? 'storefront', opts.store !== false).then(
        (answer) => {
          inflight.delete(key);
          if (deps.cacheMs > 0 && answer) {
            if (recent.size >= 5_000) for (const [id, r] of recent) if (r.expires <= clock()) recent.delete(id);
            // Age counted from when the question was sent.
            recent.set(courseDate.id, { answer, expires: sentAt + deps.cacheMs });
          }
          return answer;
        },
        (err: unknown) => {
          inflight.delete(key);
          throw err;
        },
      );
      inflight.set(key, pending);
    }
    const answer = await pending;
    return answer && { ...answer };
  }

  /** Refreshes a date's stored count in the background: one question at a time per date, one more if asked again meanwhile. */
  const refreshing = new Map<string, { again: boolean }>();
  function refreshSoon(em: Em, courseDate: CourseDateRef): void {
    const running = refreshing.get(courseDate.id);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: false };
    refreshing.set(courseDate.id, state);
    const run = (): Promise<void> =>
      read(em.fork(), courseDate, { fresh: true, purpose: 'background' }).then(
        () => undefined,
        (err: unknown) => deps.log?.warn({ courseDateId: courseDate.id, err: (err as Error).message }, 'could not refresh the free seats after a sync; the next reconciliation will'),
      ).then(() => {
        if (!state.again) {
          refreshing.delete(courseDate.id);
          return;
        }
        state.again = false;
        return run();
      });
    void run();
  }

  return { read, readTagged, recentAnswer, refreshSoon, forget: (courseDateId?: string) => (courseDateId ? recent.delete(courseDateId) : recent.clear()) };
}

export type SeatReader = ReturnType<typeof createSeatReader>;
