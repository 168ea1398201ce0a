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

  /** A complete production environment; each test removes or changes one thing. */
  const PROD = {
    NODE_ENV: 'production',
    DATABASE_URL: 'mysql://k:s@db:3306/kursus',
    MACONOMY_URL: 'https://m.example.dk',
    MACONOMY_TOKEN: 'maconomy-secret-7f3a',
    WORDPRESS_URL: 'https://wp.example.dk',
    WORDPRESS_USER: 'kursus',
    WORDPRESS_APP_PASSWORD: 'q1w2 e3r4 t5y6 u7i8 o9p0 a1s2',
    SMTP_URL: 'smtp://mailer:pw@smtp.example.dk:587',
    EDITOR_TOKENS: 'editor-secret-1b9c-5e0f8a7d3c2b1a09f8e7',
    ADMIN_TOKENS: 'admin-secret-5d2e-7c4b9a1f0e3d2c8b6a5f',
  };
  const without = (...names: (keyof typeof PROD)[]) => Object.fromEntries(Object.entries(PROD).filter(([k]) => !names.includes(k as keyof typeof PROD)));

  it('accepts a complete production environment, with no demo tokens and no simulator', () => {
    const c = loadConfig(PROD);
    expect(c.demo).toBe(false);
    expect(c.host).toBe('0.0.0.0');
    expect(c.database.kind).toBe('mysql');
    expect(c.mail.smtpUrl).toBe(PROD.SMTP_URL);
    expect(c.maconomy.url).toBe(PROD.MACONOMY_URL);
    expect(c.wordpress.url).toBe(PROD.WORDPRESS_URL);
    expect(c.editorTokens).toEqual([PROD.EDITOR_TOKENS]);
    expect(loadConfig(without('EDITOR_TOKENS', 'ADMIN_TOKENS')).editorTokens).toEqual([]); // no demo tokens in production
  });

  it('names every missing external URL and credential in production instead of falling back', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      new ConfigError('MACONOMY_URL, MACONOMY_TOKEN, WORDPRESS_URL, WORDPRESS_USER, WORDPRESS_APP_PASSWORD, DATABASE_URL, SMTP_URL are required in production (NODE_ENV=production)'),
    );
    for (const name of ['MACONOMY_URL', 'MACONOMY_TOKEN', 'WORDPRESS_URL', 'WORDPRESS_USER', 'WORDPRESS_APP_PASSWORD', 'DATABASE_URL', 'SMTP_URL'] as const) {
      expect(() => loadConfig(without(name))).toThrow(new ConfigError(`${name} is required in production (NODE_ENV=production)`));
      expect(() => loadConfig({ ...PROD, [name]: '' })).toThrow(new ConfigError(`${name} is required in production (NODE_ENV=production)`));
    }
  });

  it('keeps the .eml outbox and the embedded database outside production', () => {
    for (const NODE_ENV of [undefined, 'development', 'test']) {
      const c = loadConfig({ NODE_ENV, VAR_DIR: '/tmp/kursus-x' });
      expect(c.mail.smtpUrl).toBeNull();
      expect(c.varDir).toBe('/tmp/kursus-x');
      expect(c.database.sqlitePath).toBe('/tmp/kursus-x/kursus.db');
    }
  });

  it.each([
    ['MACONOMY_TOKEN', 'demo-maconomy-token'],
    ['WORDPRESS_APP_PASSWORD', 'abcd efgh ijkl mnop qrst uvwx'],
    ['EDITOR_TOKENS', `${'editor-secret-1b9c-5e0f8a7d3c2b1a09f8e7'},demo-editor-token`],
    ['ADMIN_TOKENS', 'demo-admin-token'],
    ['EDITOR_TOKENS', 'demo-admin-token'],
  ])('refuses the published demo credential in %s=%s in production', (name, value) => {
    expect(() => loadConfig({ ...PROD, [name]: value })).toThrow(
      new ConfigError(`${name} contains a published demo credential, which is refused in production (NODE_ENV=production); set a random secret`),
    );
    // The same value is the default, and fine, outside production.
    expect(() => loadConfig({ [name]: value })).not.toThrow();
  });

  it.each([
    ['SMTP_URL', 'http://smtp.example.dk', /SMTP_URL is not a valid smtp:\/\/ or smtps:\/\/ URL/],
    ['SMTP_URL', 'smtp.example.dk:587', /SMTP_URL is not a valid smtp:\/\/ or smtps:\/\/ URL/],
    ['MACONOMY_URL', 'maconomy.example.dk', /MACONOMY_URL is not a valid https:\/\/ or http:\/\/ URL/],
    ['WORDPRESS_URL', 'ftp://wp.example.dk', /WORDPRESS_URL is not a valid https:\/\/ or http:\/\/ URL/],
  ])('rejects %s=%s in demo mode and in production', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
    expect(() => loadConfig({ ...PROD, [name]: value })).toThrow(message);
  });

  it('accepts smtps:// and an explicit SQLite file in production', () => {
    const c = loadConfig({ ...PROD, SMTP_URL: 'smtps://u:p@smtp.example.dk:465', DATABASE_URL: 'sqlite:/srv/kursus/kursus.db' });
    expect(c.mail.smtpUrl).toBe('smtps://u:p@smtp.example.dk:465');
    expect(c.database).toMatchObject({ kind: 'sqlite', sqlitePath: '/srv/kursus/kursus.db' });
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
