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
// The look-up goes by the post's Kursus id (meta kursus_maconomy_id, a query the companion plugin
// adds), then by slug. It also follows a 400 on create: WordPress saves the post before it checks
// the meta, so a refused create may still have made a post. Remaining window: without the plugin's
// query, a duplicate is still possible if the slug was changed in WordPress between the lost
// answer and the look-up, or WordPress made it unique (`-2`).
//
// Failures: a post id is cleared only on 404 rest_post_invalid_id (deleted in WordPress); any
// other 404 (rest_no_route: the plugin is off) keeps it. The row's lastError keeps the first cause:
// a look-up failing after an earlier failure does not replace it. Every answer is compared with
// what was sent (title, content, each field): WordPress drops unregistered meta without an error.
//
// Trash: the status is sent only when Kursus's own decision changed (pushedStatus), so an editor's
// trash survives field updates; wpStatus records what WordPress reported. See docs/wordpress.md.
import { createHash } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Db } from '../../db/orm.js';
import { CourseDate } from '../../catalog/entities.js';
import { WordPressPost } from './entities.js';
import { isPostGone, WordPressError, type CourseFieldValue, type CoursePostFields, type WordPressClient, type WordPressPost as WpPost } from './client.js';
import { WORDPRESS_PLUGIN_VERSION, type CoursePostFieldName } from './fields.js';
import { sanitizeDescription } from './html.js';

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
        const cause = err instanceof FollowUpError ? err.original : err;
        deps.log?.warn({ maconomyId: job.maconomyId, status: (cause as WordPressError).status, code: (cause as WordPressError).code, err: errorMessage(err) }, 'push-wordpress: course date not pushed');
        const kept = await recordFailure(deps, job, err).catch((e: unknown) => {
          deps.log?.warn({ maconomyId: job.maconomyId, err: errorMessage(e) }, 'push-wordpress: could not record the failure');
          return errorMessage(err);
        });
        result.failed.push({ maconomyId: job.maconomyId, error: kept });
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
export function coursePostFields(cd: CourseDate): CoursePostFields & { slug: string; kursusId: string } {
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
    // Stored in Kursus as entered; what WordPress gets passes the allow-list (src/integrations/wordpress/html.ts).
    content: sanitizeDescription(cd.editorDescription ?? mc.editorDescription ?? mc.description ?? ''),
    slug: postSlug(cd.title, cd.maconomyId),
    kursusId: cd.maconomyId,
    fields: {
      kursus_maconomy_id: cd.maconomyId,
      kursus_main_course_number: mc.maconomyNumber,
      kursus_start_date: cd.startDate,
      kursus_end_date: cd.endDate,
      kursus_location: cd.location,
      kursus_price: formatMinor(cd.priceMinor),
      kursus_currency: cd.currency,
      kursus_capacity: cd.capacity,
      kursus_status: cd.status.toLowerCase(),
      kursus_days: days,
      kursus_trainers: trainers,
    } satisfies Record<CoursePostFieldName, CourseFieldValue>,
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
  pushedStatus: string | null;
}

interface Job {
  courseDateId: string;
  maconomyId: string;
  fields: CoursePostFields & { slug: string; kursusId: string };
  hash: string;
  row: RowState | null;
  /** Set once this run has claimed the row for a create (attempt already counted). */
  claimed?: boolean;
}

const snapshot = (r: WordPressPost): RowState => ({
  id: r.id,
  postId: r.postId ?? null,
  attempts: r.attempts,
  createStartedAt: r.createStartedAt ?? null,
  slug: r.slug ?? null,
  pushedStatus: r.pushedStatus ?? null,
});

/** A failure that follows from an earlier one (a look-up after a failed create): it does not replace the recorded first cause. */
class FollowUpError extends Error {
  constructor(readonly original: unknown) {
    super(errorMessage(original), { cause: original });
  }
}

async function pushOne(deps: PushDeps, job: Job): Promise<Outcome> {
  const { wp } = deps;
  const row = job.row;
  let postId = row?.postId ?? null;
  let pushedStatus = row?.pushedStatus ?? null;

  if (postId === null && row?.createStartedAt) {
    // An earlier create may have landed without its id being stored: adopt that post.
    let found;
    try {
      found = await wp.findPost({ kursusId: job.maconomyId, slug: row.slug ?? job.fields.slug });
    } catch (err) {
      throw new FollowUpError(err);
    }
    if (found[0]) {
      postId = found[0].id;
      pushedStatus = null;
      if (found.length > 1) deps.log?.warn({ maconomyId: job.maconomyId, postIds: found.map((f) => f.id) }, 'push-wordpress: several WordPress posts belong to this course date; using the oldest');
      deps.log?.info({ maconomyId: job.maconomyId, postId }, 'push-wordpress: adopted a post created by an earlier, unrecorded create');
      await adopt(deps, job, postId);
    }
  }

  if (postId !== null) {
    // The status is sent only when Kursus's own decision changed since the last push, so an
    // editor's trash (or any status the site set) is not undone by a change of price or place.
    const sendStatus = pushedStatus !== job.fields.status;
    try {
      const post = await wp.updatePost(postId, job.fields, { sendStatus });
      await verifyAndSave(deps, job, post, sendStatus ? job.fields.status : pushedStatus);
      if (post.status === 'trash') deps.log?.info({ maconomyId: job.maconomyId, postId }, 'push-wordpress: the post is in the WordPress trash; updated and left there');
      return job.fields.status === 'draft' ? 'unpublished' : 'updated';
    } catch (err) {
      // Only "invalid post id" means the post is gone. A 404 rest_no_route (post type not
      // registered, e.g. the plugin switched off) keeps the id, or the post would be duplicated.
      if (!isPostGone(err)) throw err;
      deps.log?.warn({ maconomyId: job.maconomyId, postId }, 'push-wordpress: the post was deleted in WordPress; creating it again');
    }
  }

  if (job.fields.status === 'draft') {
    // No post and none wanted: nothing to unpublish.
    if (row) await saveSuccess(deps, job, null, null, null);
    return 'skipped';
  }

  if (!(await claimCreate(deps, job))) {
    deps.log?.info({ maconomyId: job.maconomyId }, 'push-wordpress: another run is creating this post; skipped');
    return 'skipped';
  }
  let created;
  try {
    created = await wp.createPost(job.fields);
  } catch (err) {
    if (err instanceof WordPressError && err.status === 400) {
      // WordPress saves the post before it checks the meta against the registered schema, so a
      // 400 may come with a new post: find it by its Kursus id and keep it, never create twice.
      const found = await wp.findPost({ kursusId: job.maconomyId, slug: job.fields.slug }).catch((e: unknown) => {
        deps.log?.warn({ maconomyId: job.maconomyId, err: errorMessage(e) }, 'push-wordpress: looking the post up after a refused create failed');
        return [];
      });
      if (found[0]) {
        deps.log?.warn({ maconomyId: job.maconomyId, postId: found[0].id }, 'push-wordpress: WordPress refused the create but saved the post; keeping its id');
        await adopt(deps, job, found[0].id);
      }
    } else if (err instanceof WordPressError && !err.ambiguous && err.status !== undefined && err.status < 500 && err.status !== 429) {
      // Refused before anything was written (credentials, rights, no route): no post to look for.
      await deps.db.em().nativeUpdate(WordPressPost, { courseDate: job.courseDateId, postId: null }, { createStartedAt: null });
    }
    throw err;
  }
  let post = created;
  if (created.adopted) {
    // An earlier attempt of this create landed (found before a retry): send the post once more,
    // so what WordPress kept is verified like any other answer.
    await adopt(deps, job, created.id);
    post = await wp.updatePost(created.id, job.fields, { sendStatus: true });
  }
  await verifyAndSave(deps, job, post, job.fields.status);
  return 'created';
}

/**
 * What WordPress answered must hold what was sent: meta it does not know is dropped without an
 * error (unregistered key, or a post type without custom-fields support). A difference is recorded
 * as an error naming the fields; the post id is kept and the push is repeated on the next run.
 */
async function verifyAndSave(deps: PushDeps, job: Job, post: WpPost, pushedStatus: string | null): Promise<void> {
  const differs = differingFields(job.fields, post);
  if (!differs.length) {
    await saveSuccess(deps, job, post.id, pushedStatus, post.status);
    return;
  }
  const now = deps.now?.() ?? new Date();
  await deps.db.em().nativeUpdate(
    WordPressPost,
    { courseDate: job.courseDateId },
    { postId: post.id, pushedHash: null, pushedStatus, wpStatus: post.status, createStartedAt: null, updatedAt: now },
  );
  throw new WordPressError(
    `WordPress did not keep ${differs.join(', ')} of post ${post.id} as sent (meta that the site has not registered is dropped silently: ` +
      `is the Kursus plugin ${WORDPRESS_PLUGIN_VERSION} active, and does the post type "${deps.wp.postType}" support custom-fields?)`,
  );
}

/** Names of the sent fields (title, content and each meta/ACF key) that WordPress's answer does not hold as sent. */
export function differingFields(sent: CoursePostFields, post: WpPost): string[] {
  const out: string[] = [];
  // WordPress trims titles when it saves them (title_save_pre); that is not a difference.
  if (post.title !== undefined && post.title.trim() !== sent.title.trim()) out.push('title');
  if (post.content !== undefined && post.content !== sent.content) out.push('content');
  for (const [key, value] of Object.entries(sent.fields)) {
    if (!post.fields || !(key in post.fields) || canonical(post.fields[key]) !== canonical(value)) out.push(key);
  }
  return out;
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}

/** Records the post id of a found post at once, so a later failure cannot lose it. */
async function adopt(deps: PushDeps, job: Job, postId: number): Promise<void> {
  const now = deps.now?.() ?? new Date();
  await deps.db.em().nativeUpdate(WordPressPost, { courseDate: job.courseDateId }, { postId, createStartedAt: null, pushedStatus: null, updatedAt: now });
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

async function saveSuccess(deps: PushDeps, job: Job, postId: number | null, pushedStatus: string | null, wpStatus: string | null): Promise<void> {
  const now = deps.now?.() ?? new Date();
  await deps.db.em().nativeUpdate(
    WordPressPost,
    { courseDate: job.courseDateId },
    { postId, pushedHash: job.hash, pushedAt: now, pushedStatus, wpStatus, createStartedAt: null, lastError: null, attempts: 0, updatedAt: now },
  );
}

/** Records a failure; returns the message kept (the first cause when this failure only followed from it). */
async function recordFailure(deps: PushDeps, job: Job, err: unknown): Promise<string> {
  const em = deps.db.em();
  const message = errorMessage(err).slice(0, MAX_ERROR_CHARS);
  const current = await em.findOne(WordPressPost, { courseDate: job.courseDateId });
  let kept = message;
  if (!current) {
    em.create(WordPressPost, { courseDate: job.courseDateId, postId: null, pushedHash: null, lastError: message, attempts: 1 });
  } else {
    // The first cause stays first; a different later failure is added after it, once.
    if (err instanceof FollowUpError && current.lastError) kept = current.lastError.includes(message) ? current.lastError : `${current.lastError}; later: ${message}`.slice(0, MAX_ERROR_CHARS);
    current.lastError = kept;
    if (!job.claimed) current.attempts += 1;
  }
  await em.flush();
  return kept;
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
