// The error of a bad or missing setting. Its own module, so the connectors' config loaders
// (src/connectors/*/config.ts), which src/config.ts calls, need not import config.ts back.
export class ConfigError extends Error {
  override name = 'ConfigError';
}
