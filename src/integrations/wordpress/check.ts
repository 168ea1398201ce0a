// `npm run connector-check -- wordpress`: tells a site owner what the WordPress site still lacks
// before the first push, one line per fact: /wp-json/ reachable (pretty permalinks), the
// application password accepted, the companion plugin active in the version Kursus expects, the
// post type in the REST API, custom-fields support and each meta key with its type.
import type { CheckLine, CheckReport } from '../../connectors/commerce/check.js';
import type { WordPressClient } from './client.js';
import { COURSE_POST_FIELDS, WORDPRESS_PLUGIN_VERSION } from './fields.js';

const message = (err: unknown) => ((err as Error)?.message ?? String(err)).slice(0, 300);
const answered = (r: { status: number; json: unknown }) => `${r.status}${typeof obj(r.json).code === 'string' ? ` ${obj(r.json).code}` : ''}`;
const obj = (v: unknown): Record<string, any> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, any>) : {});

export async function checkWordPress(wp: WordPressClient, user: string): Promise<CheckReport> {
  const checks: CheckLine[] = [];
  const add = (check: string, ok: boolean, detail: string) => checks.push({ check, ok, detail });
  const done = () => ({ connector: 'wordpress', ok: checks.every((c) => c.ok), checks });

  try {
    const root = await wp.probe('GET', '/');
    const ok = root.status === 200 && Array.isArray(obj(root.json).namespaces);
    add('permalinks', ok, ok ? '/wp-json/ answers: the REST API is reachable' : `/wp-json/ answered ${root.status}${root.json ? '' : ' without JSON'}: turn on pretty permalinks (Settings > Permalinks, anything but "Plain"); Kursus does not use ?rest_route=`);
    if (!ok) return done();
  } catch (err) {
    add('reachable', false, `the site cannot be reached: ${message(err)}`);
    return done();
  }

  const me = await wp.probe('GET', '/wp/v2/users/me');
  add(
    'credentials',
    me.status === 200,
    me.status === 200
      ? `the application password of user "${user}" is accepted`
      : `the application password was not accepted (GET /wp-json/wp/v2/users/me answered ${answered(me)}): check WORDPRESS_USER and WORDPRESS_APP_PASSWORD, HTTPS or WP_ENVIRONMENT_TYPE=local, and that the web server passes the Authorization header to PHP`,
  );

  const info = await wp.probe('GET', '/kursus/v1/info');
  const version = obj(info.json).version;
  add(
    'plugin',
    info.status === 200 && version === WORDPRESS_PLUGIN_VERSION,
    info.status !== 200
      ? `the Kursus plugin is not active (GET /wp-json/kursus/v1/info answered ${answered(info)}); install src/integrations/wordpress/plugin/kursus/ and activate it`
      : version === WORDPRESS_PLUGIN_VERSION
        ? `Kursus plugin ${version} is active`
        : `the Kursus plugin is version ${String(version)}, this Kursus pushes for ${WORDPRESS_PLUGIN_VERSION}: install the plugin from this Kursus's repository`,
  );

  const schema = await wp.probe('OPTIONS', `/wp/v2/${wp.postType}`);
  // OPTIONS of a route WordPress does not have answers 200 with an empty body, so the schema decides.
  if (schema.status !== 200 || !obj(obj(schema.json).schema).properties) {
    add('post type', false, `/wp-json/wp/v2/${wp.postType} answered ${answered(schema)} without a schema: no post type with show_in_rest and rest_base "${wp.postType}" (WORDPRESS_POST_TYPE); is the Kursus plugin active?`);
    return done();
  }
  add('post type', true, `/wp-json/wp/v2/${wp.postType} exists`);
  const props = obj(obj(obj(schema.json).schema).properties);
  if (wp.fieldMode === 'acf') {
    add('acf', !!props.acf, props.acf ? 'the posts carry ACF fields in the REST API' : 'WORDPRESS_FIELD_MODE=acf but the posts have no `acf` in the REST API: install ACF and show the Kursus field group in REST');
    return done();
  }
  if (!props.meta) {
    add('custom-fields', false, `the post type does not support custom-fields: WordPress ignores all meta Kursus sends`);
    return done();
  }
  add('custom-fields', true, 'the post type supports custom-fields');
  const registered = obj(obj(props.meta).properties);
  for (const [key, type] of Object.entries(COURSE_POST_FIELDS)) {
    const got = obj(registered[key]).type;
    add(`meta ${key}`, got === type, got === undefined ? `not registered: WordPress would drop it without an error` : got === type ? `registered as ${type}` : `registered as ${JSON.stringify(got)}, Kursus sends ${type}`);
  }
  return done();
}

/** The CLI: checks the configured site (in demo mode without WORDPRESS_URL, the built-in simulator); exit code 0 when all is in place. */
export async function runWordPressCheck(log: { warn(o: object, m?: string): void }): Promise<number> {
  const { loadConfig } = await import('../../config.js');
  const { WordPressClient } = await import('./client.js');
  const { formatReports } = await import('../../connectors/commerce/check.js');
  const config = loadConfig();
  let url = config.wordpress.url;
  let sim: { url: string; close(): Promise<void> } | null = null;
  if (!url) {
    const { startWordPressSimulator } = await import('../../simulators/wordpress.js');
    sim = await startWordPressSimulator({ user: config.wordpress.user, appPassword: config.wordpress.appPassword, postType: config.wordpress.postType, acf: config.wordpress.fieldMode === 'acf' });
    url = sim.url;
    log.warn({}, 'demo mode: WORDPRESS_URL is not set, checking the built-in WordPress simulator');
  }
  try {
    const wp = new WordPressClient({ baseUrl: url, user: config.wordpress.user, appPassword: config.wordpress.appPassword, postType: config.wordpress.postType, fieldMode: config.wordpress.fieldMode, retries: 0, logger: log });
    const report = await checkWordPress(wp, config.wordpress.user);
    process.stdout.write(formatReports([report]) + '\n');
    return report.ok ? 0 : 1;
  } finally {
    await sim?.close();
  }
}
