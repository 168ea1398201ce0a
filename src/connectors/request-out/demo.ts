// Demo mode: the upstream simulator on loopback and a route digitalid/enrollment/ektp to it (the
// source document's example), so `POST /api/request-out` works on a fresh `npm start`.
import type { Db } from '../../db/orm.js';
import { startUpstreamSimulator, type UpstreamSimulator } from '../../simulators/upstream.js';
import { RequestOutRoute } from './entities.js';

export const DEMO_ROUTE_ID = '7d1e5c3a-4b2f-4a8e-9c6d-0e1f2a3b4c5d';
export const DEMO_UPSTREAM_TOKEN = 'demo-upstream-token';

export async function startDemoUpstream(db: Db): Promise<UpstreamSimulator> {
  const sim = await startUpstreamSimulator({ token: DEMO_UPSTREAM_TOKEN });
  const em = db.em();
  const upstreamUrl = `${sim.url}/digitalid/enrollment`;
  const route = await em.findOne(RequestOutRoute, { id: DEMO_ROUTE_ID });
  // The simulator's port changes with every start: point the demo route at this one.
  if (route) route.upstreamUrl = upstreamUrl;
  else if (!(await em.findOne(RequestOutRoute, { subject: 'digitalid', subjectType: 'enrollment', subjectIdentifier: 'ektp' })))
    em.create(RequestOutRoute, { id: DEMO_ROUTE_ID, subject: 'digitalid', subjectType: 'enrollment', subjectIdentifier: 'ektp', name: 'e-KTP enrolment (demo upstream simulator)', upstreamUrl, authType: 'bearer', authSecret: DEMO_UPSTREAM_TOKEN, timeoutMs: 5000, enabled: true } as never);
  try {
    await em.flush();
  } catch {
    /* another process seeded it at the same moment */
  }
  return sim;
}

/**
 * Production on a database that once ran in demo mode: the demo route (to a loopback simulator that
 * does not run in production, with a published secret) is disabled at every start. True when it
 * was enabled.
 */
export async function disableDemoRoute(db: Db): Promise<boolean> {
  return (await db.em().nativeUpdate(RequestOutRoute, { id: DEMO_ROUTE_ID, enabled: true }, { enabled: false })) > 0;
}
