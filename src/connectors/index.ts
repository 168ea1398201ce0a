// The REST connectors of this issue (auth, Product Price API, Request Out, the request/response
// log's admin API), registered on the app by one call in buildKursus.
import type { FastifyInstance } from 'fastify';
import type { ConnectorDeps } from './deps.js';
import { registerConnectorAuth } from './auth/routes.js';
import { disableDemoConnectorUser, seedDemoConnectorUser } from './auth/demo.js';
import { registerHttpLogAdmin } from './http-log/admin.js';
import { registerProductPriceApi } from './product-price/routes.js';
import { seedDemoShopsAndProducts } from './product-price/demo.js';
import { registerRequestOut } from './request-out/routes.js';
import { registerRequestOutAdmin } from './request-out/admin.js';
import { disableDemoRoute, startDemoUpstream } from './request-out/demo.js';
import { docsContentSecurityPolicy } from './docs.js';

export type { ConnectorDeps } from './deps.js';

export async function registerConnectors(app: FastifyInstance, deps: ConnectorDeps): Promise<void> {
  docsContentSecurityPolicy(app);
  // Demo data only in demo mode; NODE_ENV=production never gets the demo user.
  if (deps.config.demo) {
    await seedDemoConnectorUser(deps.db);
    await seedDemoShopsAndProducts(deps.db, deps.config.connectors.priceTimezone);
    const upstream = await startDemoUpstream(deps.db);
    app.addHook('onClose', () => upstream.close());
    deps.log.info({ url: upstream.url }, 'demo mode: Request Out route digitalid/enrollment/ektp goes to the built-in upstream simulator');
  } else {
    // A production start on a database that once ran in demo mode: the published demo login and
    // the demo route must not work. Disabled rather than refusing to start: the admin API that
    // could remove them needs the server running, and disabling leaves nothing usable behind.
    const user = await disableDemoConnectorUser(deps.db);
    const route = await disableDemoRoute(deps.db);
    if (user.deactivated || user.tokensRevoked || route)
      deps.log.warn({ demoUserDeactivated: user.deactivated, demoTokensRevoked: user.tokensRevoked, demoRouteDisabled: route }, 'production: this database ran in demo mode; the demo connector user (demo@example.com) and the demo Request Out route are disabled');
  }
  await registerConnectorAuth(app, deps);
  await registerHttpLogAdmin(app, deps);
  await registerProductPriceApi(app, deps);
  await registerRequestOut(app, deps);
  await registerRequestOutAdmin(app, deps);
}
