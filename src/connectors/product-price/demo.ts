// Demo shops and products of the demo connector user (demo mode only). The ids are the ones of
// the Product Price API's documentation examples, so its URLs and bodies work as written.
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Db } from '../../db/orm.js';
import { DEMO_USER } from '../auth/demo.js';
import { Product, ProductPrice, Shop } from './entities.js';
import { zonedToUtc } from './dates.js';

export const DEMO_SHOPS = [
  { id: '03a0da07-1b3f-4512-81ed-0c01310666e4', name: 'Online Shop' },
  { id: '22ba9428-a4d2-4c44-ba35-417c6878f16a', name: 'Offline Store' },
] as const;

export const DEMO_PRODUCTS = [
  { id: '13628104-90c3-41a9-9074-c5c8b386f720', name: 'Coffee Beans 250 g', sku: 'DEMO-001' },
  { id: '5b0f3c1e-7d2a-4e8b-9f6c-1a2b3c4d5e6f', name: 'Tea Leaves 100 g', sku: 'DEMO-002' },
] as const;

/**
 * The price id of the documentation's examples (its list, create, details, update and delete
 * answers show it), so `.../details/{id_user}/{id_product}/56139d43-...` works as written. Its window
 * is the day BEFORE the documented 2022-10-08: the documented create of a 2022-10-08 price in the
 * same shop then works as written too instead of being refused as an overlap (409). Wall-clock
 * time in PRICE_API_TIMEZONE like every price; created at the documented moment (Asia/Bangkok).
 */
export const DEMO_PRICE = {
  id: '56139d43-3409-4a78-ad3f-e9f678170759',
  product: DEMO_PRODUCTS[0].id,
  shop: DEMO_SHOPS[0].id,
  price: 25000,
  startDate: '2022-10-07 00:00:00',
  endDate: '2022-10-07 23:59:00',
} as const;

export async function seedDemoShopsAndProducts(db: Db, timeZone: string): Promise<void> {
  const em = db.em();
  const haveShops = new Set((await em.find(Shop, { id: { $in: DEMO_SHOPS.map((s) => s.id) } })).map((s) => s.id));
  const haveProducts = new Set((await em.find(Product, { id: { $in: DEMO_PRODUCTS.map((p) => p.id) } })).map((p) => p.id));
  for (const s of DEMO_SHOPS) if (!haveShops.has(s.id)) em.create(Shop, { ...s, owner: DEMO_USER.id } as never);
  for (const p of DEMO_PRODUCTS) if (!haveProducts.has(p.id)) em.create(Product, { ...p, owner: DEMO_USER.id } as never);
  // Seeded once: a demo user who deleted or changed it keeps it that way across restarts.
  if (!(await em.findOne(ProductPrice, { id: DEMO_PRICE.id }, { filters: false }))) {
    const wall = (s: string) => {
      const [y, mo, d, h, mi, sec] = s.split(/[- :]/).map(Number) as [number, number, number, number, number, number];
      return zonedToUtc(y, mo, d, h, mi, sec, timeZone);
    };
    const created = zonedToUtc(2022, 10, 8, 15, 0, 26, 'Asia/Bangkok');
    em.create(ProductPrice, { ...DEMO_PRICE, startDate: wall(DEMO_PRICE.startDate), endDate: wall(DEMO_PRICE.endDate), createdAt: created, updatedAt: created, createdBy: DEMO_USER.id } as never);
  }
  try {
    await em.flush();
  } catch (err) {
    // Another process seeded them at the same moment.
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
  }
}
