import { loadConfig, ConfigError } from '../../src/config.js';

describe('configuration', () => {
  it('runs in demo mode with embedded defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.demo).toBe(true);
    expect(c.port).toBe(4000);
    expect(c.database).toEqual({ kind: 'sqlite', url: 'sqlite:./var/kursus.db', sqlitePath: './var/kursus.db' });
    expect(c.maconomy.url).toBeNull(); // simulator
    expect(c.holdMinutes).toBe(20);
    expect(c.jobs.timezone).toBe('Europe/Copenhagen');
    expect(c.jobs.mongodbUrl).toBeNull();
  });

  it('names the missing variable in production instead of falling back to a simulator', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(new ConfigError('MACONOMY_URL is required in production (NODE_ENV=production)'));
    expect(() => loadConfig({ NODE_ENV: 'production', MACONOMY_URL: 'https://m.example.dk' })).toThrow(/MACONOMY_TOKEN is required/);
    expect(() => loadConfig({ NODE_ENV: 'production', MACONOMY_URL: 'https://m.example.dk', MACONOMY_TOKEN: 't' })).toThrow(/WORDPRESS_URL is required/);
    const ok = loadConfig({
      NODE_ENV: 'production', MACONOMY_URL: 'https://m.example.dk', MACONOMY_TOKEN: 't', WORDPRESS_URL: 'https://wp.example.dk',
      WORDPRESS_USER: 'u', WORDPRESS_APP_PASSWORD: 'p', DATABASE_URL: 'mysql://k:s@db:3306/kursus',
    });
    expect(ok.demo).toBe(false);
    expect(ok.editorTokens).toEqual([]); // no demo tokens in production
    expect(ok.database.kind).toBe('mysql');
  });

  it.each([
    [{ PORT: 'abc' }, /PORT must be a number/],
    [{ HOLD_MINUTES: '0' }, /HOLD_MINUTES must be at least 1/],
    [{ DATABASE_URL: 'postgres://x' }, /DATABASE_URL must start with sqlite: or mysql:\/\//],
    [{ TZ_SCHEDULE: 'Mars/Olympus' }, /TZ_SCHEDULE must be an IANA time zone/],
    [{ MONGODB_URL: 'http://x' }, /MONGODB_URL must start with mongodb:\/\//],
    [{ WORDPRESS_FIELD_MODE: 'yaml' }, /WORDPRESS_FIELD_MODE must be meta or acf/],
  ])('rejects %p with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('reads token lists', () => {
    expect(loadConfig({ EDITOR_TOKENS: ' a, b ,,c' }).editorTokens).toEqual(['a', 'b', 'c']);
  });
});
