// The `push-wordpress` job without Agenda: brings each course date's WordPress post in line with
// our database. A course date needs a push when the hash of the post it should have differs from
// the hash last pushed (wordpress_post.pushed_hash), which covers new dates, Maconomy changes,
// editor enrichment (descriptions, day times, trainers) and unpublishing (sent as `draft`).
//
// Idempotency of creates (core WordPress cannot look a post up by meta value, so a create whose
// answer is lost would otherwise be sent again):
//   1. before createPost, a row with postId null, createStartedAt and the slug to send is committed,
//      claimed by compare-and-set on `attempts` so two concurrent runs cannot both create;
//   2. right after the 201 the post id is stored in its own one-statement write;
//   3. a row found with createStartedAt set and no postId means step 2 may never have happened:
//      the post is looked up by that slug (deterministic, contains the maconomyId) and adopted
//      before any new create. The client does the same lookup before retrying an ambiguous create.
// Remaining window: a duplicate is still possible if, between the lost answer and the lookup, the
// slug was changed in WordPress (by an editor or a plugin), or WordPress made the slug unique
// (`-2`) because another post of the type already had it.
import { createHash } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Db } from '../../db/orm.js';
import { CourseDate } from '../../catalog/entities.js';
import { WordPressPost } from './entities.js';
import { WordPressError, type CoursePostFields, type WordPressClient } from './client.js';

export interface PushLog {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
}

export interface PushResult {
  created: number;
  updated: number;
  /** Updates that set the post to draft (unpublished or cancelled dates). */
  unpublished: number;
  failed: { maconomyId: string; error: string }[];
  /** Examined course dates that needed no request: unchanged, or not published and without a post. */
  skipped: number;
}

export interface PushDeps {
  db: Db;
  wp: WordPressClient;
  log?: PushLog;
  /** Course dates read per unit of work. Default 200. */
  batchSize?: number;
  /** Only these course dates (CourseDate.id); default all that need a push. */
  courseDateIds?: string[];
  /** WordPress requests in flight at once. Default 4. */
  concurrency?: number;
  now?: () => Date;
}

type Outcome = 'created' | 'updated' | 'unpublished' | 'skipped';

const MAX_ERROR_CHARS = 2000;

export async function pushCourseDatesToWordPress(deps: PushDeps): Promise<PushResult> {
  const batchSize = Math.max(1, deps.batchSize ?? 200);
  const concurrency = Math.max(1, deps.concurrency ?? 4);
  const result: PushResult = { created: 0, updated: 0, unpublished: 0, failed: [], skipped: 0 };
  const started = Date.now();
  const only = deps.courseDateIds ? [...new Set(deps.courseDateIds)] : null;
  if (only && only.length === 0) return result;

  let lastId = '';
  for (;;) {
    const em = deps.db.em();
    const where = only ? { id: { $gt: lastId, $in: only } } : { id: { $gt: lastId } };
    const batch = await em.find(CourseDate, where, { orderBy: { id: 'asc' }, limit: batchSize, populate: ['mainCourse', 'days', 'trainers'] });
    if (!batch.length) break;
    lastId = batch[batch.length - 1]!.id;

    const rows = new Map<string, WordPressPost>();
    for (const row of await em.find(WordPressPost, { courseDate: { $in: batch.map((c) => c.id) } })) rows.set(row.courseDate.id, row);

    const work: Job[] = [];
    for (const cd of batch) {
      const fields = coursePostFields(cd);
      const hash = postHash(deps.wp, fields);
      const row = rows.get(cd.id) ?? null;
      if (row && row.pushedHash === hash) {
        result.skipped++;
        continue;
      }
      work.push({ courseDateId: cd.id, maconomyId: cd.maconomyId, fields, hash, row: row && snapshot(row) });
    }

    await runPool(work, concurrency, async (job) => {
      try {
        const outcome = await pushOne(deps, job);
        result[outcome]++;
      } catch (err) {
        const message = errorMessage(err);
        result.failed.push({ maconomyId: job.maconomyId, error: message });
        deps.log?.warn({ maconomyId: job.maconomyId, status: (err as WordPressError).status, code: (err as WordPressError).code, err: message }, 'push-wordpress: course date not pushed');
        await recordFailure(deps, job, message).catch((e: unknown) =>
          deps.log?.warn({ maconomyId: job.maconomyId, err: errorMessage(e) }, 'push-wordpress: could not record the failure'),
        );
      }
    });
    if (batch.length < batchSize) break;
  }

  deps.log?.info(
    { created: result.created, updated: result.updated, unpublished: result.unpublished, failed: result.failed.length, skipped: result.skipped, durationMs: Date.now() - started },
    'push-wordpress finished',
  );
  return result;
}

// ---- the post a course date should have ---------------------------------------------------------

/** The WordPress post for a course date with mainCourse, days and trainers loaded. */
export function coursePostFields(cd: CourseDate): CoursePostFields & { slug: string } {
  const mc = cd.mainCourse;
  const days = cd.days
    .getItems()
    .slice()
    .sort((a, b) => a.date.localeCompare(b.date))
    .map((d) => ({ date: d.date, start_time: d.editorStartTime ?? d.startTime ?? null, end_time: d.editorEndTime ?? d.endTime ?? null }));
  const trainers = cd.trainers
    .getItems()
    .slice()
    .sort((a, b) => a.name.localeCompare(b.name) || a.key.localeCompare(b.key))
    .map((t) => ({ name: t.name, title: t.title ?? null }));
  return {
    title: cd.title,
    status: cd.published && cd.status !== 'CANCELLED' ? 'publish' : 'draft',
    content: cd.editorDescription ?? mc.editorDescription ?? mc.description ?? '',
    slug: postSlug(cd.title, cd.maconomyId),
    fields: {
      maconomy_id: cd.maconomyId,
      main_course_number: mc.maconomyNumber,
      start_date: cd.startDate,
      end_date: cd.endDate,
      location: cd.location,
      price: formatMinor(cd.priceMinor),
      currency: cd.currency,
      capacity: cd.capacity,
      status: cd.status.toLowerCase(),
      days,
      trainers,
    },
  };
}

/** Hash of what a push sends; the slug is sent on create only, so it is left out. */
export function postHash(wp: Pick<WordPressClient, 'postType' | 'fieldMode'>, f: CoursePostFields): string {
  // Post type and field mode are in it so that switching either re-pushes everything.
  const canonical = JSON.stringify([wp.postType, wp.fieldMode, f.title, f.status, f.content, Object.entries(f.fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** ASCII slug ending in the maconomyId, so it is unique per course date and WordPress keeps it as sent. */
export function postSlug(title: string, maconomyId: string): string {
  const clean = (s: string) =>
    s
      .replace(/æ/gi, 'ae')
      .replace(/ø/gi, 'oe')
      .replace(/å/gi, 'aa')
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
  const id = clean(maconomyId) || 'x';
  const head = clean(title).slice(0, 150).replace(/-+$/, '');
  return head ? `${head}-${id}` : `kursus-${id}`;
}

function formatMinor(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

// ---- one course date ----------------------------------------------------------------------------

interface RowState {
  id: string;
  postId: number | null;
  attempts: number;
  createStartedAt: Date | null;
  slug: string | null;
}

interface Job {
  courseDateId: string;
  maconomyId: string;
  fields: CoursePostFields & { slug: string };
  hash: string;
  row: RowState | null;
  /** Set once this run has claimed the row for a create (attempt already counted). */
  claimed?: boolean;
}

const snapshot = (r: WordPressPost): RowState => ({ id: r.id, postId: r.postId ?? null, attempts: r.attempts, createStartedAt: r.createStartedAt ?? null, slug: r.slug ?? null });

async function pushOne(deps: PushDeps, job: Job): Promise<Outcome> {
  const { wp } = deps;
  const row = job.row;
  let postId = row?.postId ?? null;

  if (postId === null && row?.createStartedAt) {
    // An earlier create may have landed without its id being stored: adopt that post.
    const found = await wp.findPostsBySlug(row.slug ?? job.fields.slug);
    if (found[0]) {
      postId = found[0].id;
      if (found.length > 1) deps.log?.warn({ maconomyId: job.maconomyId, postIds: found.map((f) => f.id) }, 'push-wordpress: several WordPress posts share the slug; using the oldest');
      deps.log?.info({ maconomyId: job.maconomyId, postId }, 'push-wordpress: adopted a post created by an earlier, unrecorded create');
    }
  }

  if (postId !== null) {
    try {
      await wp.updatePost(postId, job.fields);
      await saveSuccess(deps, job, postId);
      return job.fields.status === 'draft' ? 'unpublished' : 'updated';
    } catch (err) {
      if (!(err instanceof WordPressError && err.status === 404)) throw err;
      deps.log?.warn({ maconomyId: job.maconomyId, postId }, 'push-wordpress: the post is gone from WordPress; creating it again');
    }
  }

  if (job.fields.status === 'draft') {
    // No post and none wanted: nothing to unpublish.
    if (row) await saveSuccess(deps, job, null);
    return 'skipped';
  }

  if (!(await claimCreate(deps, job))) {
    deps.log?.info({ maconomyId: job.maconomyId }, 'push-wordpress: another run is creating this post; skipped');
    return 'skipped';
  }
  const created = await wp.createPost(job.fields);
  await saveSuccess(deps, job, created.id);
  return 'created';
}

/** Commits "a create is about to be sent"; false when another run claimed the row first. */
async function claimCreate(deps: PushDeps, job: Job): Promise<boolean> {
  const now = deps.now?.() ?? new Date();
  const em = deps.db.em();
  if (!job.row) {
    try {
      em.create(WordPressPost, { courseDate: job.courseDateId, postId: null, pushedHash: null, createStartedAt: now, slug: job.fields.slug, attempts: 1 });
      await em.flush();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) return false;
      throw err;
    }
  } else {
    const n = await em.nativeUpdate(
      WordPressPost,
      { id: job.row.id, attempts: job.row.attempts },
      // pushedHash cleared: until the create is recorded, no hash may count as "in sync".
      { postId: null, pushedHash: null, createStartedAt: now, slug: job.fields.slug, attempts: job.row.attempts + 1, updatedAt: now },
    );
    if (n !== 1) return false;
  }
  job.claimed = true;
  return true;
}

async function saveSuccess(deps: PushDeps, job: Job, postId: number | null): Promise<void> {
  const now = deps.now?.() ?? new Date();
  await deps.db.em().nativeUpdate(
    WordPressPost,
    { courseDate: job.courseDateId },
    { postId, pushedHash: job.hash, pushedAt: now, createStartedAt: null, lastError: null, attempts: 0, updatedAt: now },
  );
}

async function recordFailure(deps: PushDeps, job: Job, message: string): Promise<void> {
  const now = deps.now?.() ?? new Date();
  const em = deps.db.em();
  const lastError = message.slice(0, MAX_ERROR_CHARS);
  const current = await em.findOne(WordPressPost, { courseDate: job.courseDateId });
  if (!current) {
    em.create(WordPressPost, { courseDate: job.courseDateId, postId: null, pushedHash: null, lastError, attempts: 1 });
  } else {
    current.lastError = lastError;
    if (!job.claimed) current.attempts += 1;
  }
  await em.flush();
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function runPool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
