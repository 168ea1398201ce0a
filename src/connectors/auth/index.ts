// Connector users and bearer tokens. For another connector's routes:
//
//   import { requireConnectorUser } from '../auth/index.js';
//   const guard = requireConnectorUser({ db, now }, { envelope: (status, message) => ({ message }) });
//   scope.get('/api/connectors/jubelio/products', { preHandler: guard }, async (request) => request.connectorUser!.id ...);
//
// Missing/invalid/expired tokens answer 401 (with WWW-Authenticate: Bearer), a token of another
// user than the path's (`userIdParam`, or requireSameUser after your own path validation) 403,
// both with the body your `envelope` builds. requireAdmin(config, {envelope}) checks ADMIN_TOKENS.
export { requireConnectorUser, requireSameUser, requireAdmin, bearerToken, type Envelope, type GuardDeps } from './guard.js';
export { ConnectorUser, ConnectorToken, connectorAuthEntities } from './entities.js';
export { createConnectorUser, updateConnectorUser, revokeTokens, login, authenticateToken, type ConnectorPrincipal } from './service.js';
export { hashPassword, verifyPassword } from './passwords.js';
export { DEMO_USER, seedDemoConnectorUser } from './demo.js';
export { registerConnectorAuth } from './routes.js';
