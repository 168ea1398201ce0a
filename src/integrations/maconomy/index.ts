export { MaconomyClient, MaconomyError, type MaconomyClientOptions, type MaconomyCall, type MaconomyErrorKind } from './client.js';
export * from './schemas.js';
