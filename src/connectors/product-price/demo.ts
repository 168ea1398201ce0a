// Demo shops and products of the demo connector user (demo mode only). The ids are the ones of
// the Product Price API's documentation examples, so its URLs and bodies work as written.
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Db } from '../../db/orm.js';
import { DEMO_USER } from '../auth/demo.js';
import { Product, Shop } from './entities.js';

export const DEMO_SHOPS = [
  { id: '03a0da07-1b3f-4512-81ed-0c01310666e4', name: 'Online Shop' },
  { id: '22ba9428-a4d2-4c44-ba35-417c6878f16a', name: 'Offline Store' },
] as const;

export const DEMO_PRODUCTS = [
  { id: '13628104-90c3-41a9-9074-c5c8b386f720', name: 'Coffee Beans 250 g', sku: 'DEMO-001' },
  { id: '5b0f3c1e-7d2a-4e8b-9f6c-1a2b3c4d5e6f', name: 'Tea Leaves 100 g', sku: 'DEMO-002' },
] as const;

export async function seedDemoShopsAndProducts(db: Db): Promise<void> {
  const em = db.em();
  const haveShops = new Set((await em.find(Shop, { id: { $in: DEMO_SHOPS.map((s) => s.id) } })).map((s) => s.id));
  const haveProducts = new Set((await em.find(Product, { id: { $in: DEMO_PRODUCTS.map((p) => p.id) } })).map((p) => p.id));
  for (const s of DEMO_SHOPS) if (!haveShops.has(s.id)) em.create(Shop, { ...s, owner: DEMO_USER.id } as never);
  for (const p of DEMO_PRODUCTS) if (!haveProducts.has(p.id)) em.create(Product, { ...p, owner: DEMO_USER.id } as never);
  try {
    await em.flush();
  } catch (err) {
    // Another process seeded them at the same moment.
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
  }
}
