// The REST connectors of this issue (auth, Product Price API, Request Out, the request/response
// log's admin API), registered on the app by one call in buildKursus.
import type { FastifyInstance } from 'fastify';
import type { ConnectorDeps } from './deps.js';
import { registerConnectorAuth } from './auth/routes.js';
import { seedDemoConnectorUser } from './auth/demo.js';
import { registerHttpLogAdmin } from './http-log/admin.js';
import { registerProductPriceApi } from './product-price/routes.js';
import { seedDemoShopsAndProducts } from './product-price/demo.js';
import { registerRequestOut } from './request-out/routes.js';
import { registerRequestOutAdmin } from './request-out/admin.js';
import { startDemoUpstream } from './request-out/demo.js';
import { docsContentSecurityPolicy } from './docs.js';

export type { ConnectorDeps } from './deps.js';

export async function registerConnectors(app: FastifyInstance, deps: ConnectorDeps): Promise<void> {
  docsContentSecurityPolicy(app);
  // Demo data only in demo mode; NODE_ENV=production never gets the demo user.
  if (deps.config.demo) {
    await seedDemoConnectorUser(deps.db);
    await seedDemoShopsAndProducts(deps.db);
    const upstream = await startDemoUpstream(deps.db);
    app.addHook('onClose', () => upstream.close());
    deps.log.info({ url: upstream.url }, 'demo mode: Request Out route digitalid/enrollment/ektp goes to the built-in upstream simulator');
  }
  await registerConnectorAuth(app, deps);
  await registerHttpLogAdmin(app, deps);
  await registerProductPriceApi(app, deps);
  await registerRequestOut(app, deps);
  await registerRequestOutAdmin(app, deps);
}
