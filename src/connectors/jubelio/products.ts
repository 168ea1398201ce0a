// ERP side of the product flow: staging (upsert by SKU, validated per row) and the push status list.
// Staging never calls Jubelio; the `jubelio-push-products` job does (push.ts).
import { createHash } from 'node:crypto';
import { sql, UniqueConstraintViolationException } from '@mikro-orm/core';
import { z } from 'zod';
import type { Db } from '../../db/orm.js';
import { canonicalJson } from '../../jobs/sql-backend.js';
import { hasLoneSurrogate } from '../http.js';
import { JubelioProduct, PRODUCT_STATUSES, type ProductStatus, type StagedProduct } from './entities.js';
import { encodeKeyCursor } from '../change-cursor.js';

export const MAX_STAGE_BATCH = 1000;
/** Longest texts a staged row may have (characters). */
export const MAX_TEXT = { sku: 100, name: 255, description: 5000, barcode: 64 } as const;
/**
 * Body limit of the staging route: a batch of MAX_STAGE_BATCH rows with every text at its maximum
 * fits, even written as compact JSON with every character escaped (`\uXXXX`, 6 bytes: the most any
 * JSON encoder spends on one), plus 512 bytes a row for the keys and numbers. About 31.5 MiB.
 */
export const STAGE_BODY_LIMIT = MAX_STAGE_BATCH * (6 * (MAX_TEXT.sku + MAX_TEXT.name + MAX_TEXT.description + MAX_TEXT.barcode) + 512) + 1024;

const id = z.number({ error: 'must be a number' }).int('must be a whole number').positive('must be a positive id');
const money = z.number({ error: 'must be a number' }).finite('must be a finite number').min(0, 'must not be negative').max(1e13, 'is too large');
// Control characters would break Jubelio's catalogue and marketplace feeds.
// Lone surrogates cannot be stored as UTF-8 (MySQL refuses the row: a 500 before this check).
const text = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .max(max, `must be at most ${max} characters`)
    .regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f]*$/, 'must not contain control characters')
    .refine((s) => !hasLoneSurrogate(s), 'must be valid Unicode (no lone surrogates)');

export const stagedProductSchema = z.strictObject(
  {
    sku: text(MAX_TEXT.sku).trim().min(1, 'is required'),
    name: text(MAX_TEXT.name).trim().min(1, 'is required'),
    description: text(MAX_TEXT.description).optional(),
    sellPrice: money,
    buyPrice: money.optional(),
    barcode: text(MAX_TEXT.barcode).nullish(),
    uomId: id.nullish(),
    categoryId: id.nullish(),
    brandId: id.nullish(),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : undefined) },
);

export interface RowError {
  field: string;
  message: string;
}
export interface StageRowResult {
  index: number;
  sku: string | null;
  /** created / updated (will be pushed), unchanged (nothing to push), rejected (see errors). */
  result: 'created' | 'updated' | 'unchanged' | 'rejected';
  status?: ProductStatus;
  errors?: RowError[];
}
export interface StageResult {
  accepted: number;
  rejected: number;
  results: StageRowResult[];
}

export const contentHash = (p: StagedProduct) => createHash('sha256').update(canonicalJson(p)).digest('hex');

function normalise(p: z.output<typeof stagedProductSchema>): StagedProduct {
  return {
    sku: p.sku,
    name: p.name,
    description: p.description ?? '',
    sellPrice: p.sellPrice,
    buyPrice: p.buyPrice ?? 0,
    barcode: p.barcode || null,
    uomId: p.uomId ?? null,
    categoryId: p.categoryId ?? null,
    brandId: p.brandId ?? null,
  };
}

/**
 * Validates every row on its own and upserts the valid ones by SKU in one transaction. A row whose
 * content equals what is staged keeps its status (a pushed product is not sent again).
 */
export async function stageProducts(db: Db, rows: unknown[], now: Date): Promise<StageResult> {
  const results: StageRowResult[] = [];
  const valid = new Map<string, { index: number; product: StagedProduct; hash: string }>();
  rows.forEach((row, index) => {
    const sku = row && typeof row === 'object' && typeof (row as { sku?: unknown }).sku === 'string' ? ((row as { sku: string }).sku.trim() || null) : null;
    const parsed = stagedProductSchema.safeParse(row);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({ field: i.path.length ? `products[${index}].${i.path.join('.')}` : `products[${index}]`, message: i.path.length ? `${i.path.join('.')} ${i.message}` : (i.code === 'invalid_type' ? 'must be an object' : i.message) }));
      results[index] = { index, sku, result: 'rejected', errors };
      return;
    }
    const product = normalise(parsed.data);
    const earlier = valid.get(product.sku);
    if (earlier) {
      results[index] = { index, sku, result: 'rejected', errors: [{ field: `products[${index}].sku`, message: `sku ${product.sku} appears twice in this batch (also row ${earlier.index})` }] };
      return;
    }
    valid.set(product.sku, { index, product, hash: contentHash(product) });
  });

  const write = (rows: typeof valid) =>
    db.em().transactional(async (em) => {
      const out: StageRowResult[] = [];
      const skus = [...rows.keys()];
      const existing = new Map<string, JubelioProduct>();
      for (let i = 0; i < skus.length; i += 500) {
        for (const p of await em.find(JubelioProduct, { sku: { $in: skus.slice(i, i + 500) } })) existing.set(p.sku, p);
      }
      const updated: JubelioProduct[] = [];
      for (const [sku, { index, product, hash }] of rows) {
        const row = existing.get(sku);
        if (!row) {
          em.create(JubelioProduct, { sku, name: product.name, data: product, contentHash: hash, status: 'pending', stagedAt: now, updatedAt: now });
          out.push({ index, sku, result: 'created', status: 'pending' });
        } else if (row.contentHash === hash) {
          out.push({ index, sku, result: 'unchanged', status: row.status });
        } else {
          Object.assign(row, { name: product.name, data: product, contentHash: hash, status: 'pending', attempts: 0, lastError: null, stagedAt: now, updatedAt: now });
          updated.push(row);
          out.push({ index, sku, result: 'updated', status: 'pending' });
        }
      }
      await em.flush();
      const bySku = new Map(out.map((o) => [o.sku, o]));
      // The status of a changed row follows from the database's pushed_hash, not from the copy read
      // above: a push finishing meanwhile may have changed it (and a push still in flight corrects
      // the status when it finishes, see push.ts). A row back at the version Jubelio has is pushed.
      for (let i = 0; i < updated.length; i += 500) {
        const ids = updated.slice(i, i + 500).map((r) => r.id);
        await em.nativeUpdate(JubelioProduct, { id: { $in: ids }, pushedHash: sql.ref('content_hash') }, { status: 'pushed' });
        for (const r of await em.find(JubelioProduct, { id: { $in: ids }, status: 'pushed' }, { fields: ['id', 'sku', 'status'], refresh: true })) {
          const o = bySku.get(r.sku);
          if (o) o.status = 'pushed';
        }
      }
      return out;
    });
  // Another batch created one of these SKUs at the same moment: the second try updates it.
  const writeTwice = async (rows: typeof valid) => {
    try {
      return await write(rows);
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
      return write(rows);
    }
  };

  let written: StageRowResult[];
  try {
    written = await writeTwice(valid);
  } catch (err) {
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
    // Still a clash: the database holds a SKU it does not tell apart from one of these (MySQL's
    // collation ignores letter case and accents). Row by row, so that only such a row is rejected.
    written = [];
    for (const [sku, entry] of valid) {
      try {
        written.push(...(await writeTwice(new Map([[sku, entry]]))));
      } catch (e) {
        if (!(e instanceof UniqueConstraintViolationException)) throw e;
        const message = `sku ${sku} clashes with a staged SKU that the database does not tell apart from it (it differs only in letter case or accents)`;
        written.push({ index: entry.index, sku, result: 'rejected', errors: [{ field: `products[${entry.index}].sku`, message }] });
      }
    }
  }
  for (const r of written) results[r.index] = r;
  const rejected = results.filter((r) => r.result === 'rejected').length;
  return { accepted: results.length - rejected, rejected, results };
}

export interface ProductListItem {
  sku: string;
  name: string;
  status: ProductStatus;
  itemGroupId: number | null;
  itemId: number | null;
  lastError: string | null;
  attempts: number;
  stagedAt: string;
  pushedAt: string | null;
}

/** `after`: the SKU of a nextCursor (the route decodes it with parseKeyCursor). */
export async function listProducts(db: Db, q: { status?: ProductStatus; limit: number; after?: string }): Promise<{ items: ProductListItem[]; nextCursor: string | null }> {
  const where: Record<string, unknown> = {};
  if (q.status) where.status = q.status;
  if (q.after) where.sku = { $gt: q.after };
  const rows = await db.em().find(JubelioProduct, where, { orderBy: { sku: 'asc' }, limit: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  return {
    items: page.map((r) => ({
      sku: r.sku,
      name: r.name,
      status: r.status,
      itemGroupId: r.itemGroupId ?? null,
      itemId: r.itemId ?? null,
      lastError: r.lastError ?? null,
      attempts: r.attempts,
      stagedAt: r.stagedAt.toISOString(),
      pushedAt: r.pushedAt ? r.pushedAt.toISOString() : null,
    })),
    nextCursor: rows.length > q.limit ? encodeKeyCursor(page[page.length - 1]!.sku) : null,
  };
}

export const isProductStatus = (s: string): s is ProductStatus => (PRODUCT_STATUSES as readonly string[]).includes(s);
