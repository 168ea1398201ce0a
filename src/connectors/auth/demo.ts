// The demo connector user (demo mode only, never with NODE_ENV=production). Its id is the one of
// the Product Price API's documentation examples, so the documented URLs work as they are.
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Db } from '../../db/orm.js';
import { ConnectorToken, ConnectorUser } from './entities.js';
import { createConnectorUser } from './service.js';

export const DEMO_USER = {
  id: '2888cc3b-0478-4e85-be41-7baf74fedf36',
  email: 'demo@example.com',
  password: 'demo-password',
  name: 'Demo User',
} as const;

/** Creates the demo user unless it exists. Safe when two processes start at once. */
export async function seedDemoConnectorUser(db: Db): Promise<void> {
  if (await db.em().findOne(ConnectorUser, { id: DEMO_USER.id })) return;
  try {
    await createConnectorUser(db, { id: DEMO_USER.id, email: DEMO_USER.email, name: DEMO_USER.name, password: DEMO_USER.password });
  } catch (err) {
    if (!(err instanceof UniqueConstraintViolationException) && !(err as Error)?.message?.includes('already exists')) throw err;
  }
}

/**
 * Production on a database that once ran in demo mode: the demo user (published id, e-mail and
 * password) is deactivated and its tokens deleted, at every start, so the published login never
 * works in production. Its shops, products and prices stay in the database, unreachable. Returns
 * what was changed, for the start-up warning.
 */
export async function disableDemoConnectorUser(db: Db): Promise<{ deactivated: boolean; tokensRevoked: number }> {
  const em = db.em();
  const deactivated = (await em.nativeUpdate(ConnectorUser, { id: DEMO_USER.id, active: true }, { active: false })) > 0;
  const tokensRevoked = await em.nativeDelete(ConnectorToken, { user: DEMO_USER.id });
  return { deactivated, tokensRevoked };
}
