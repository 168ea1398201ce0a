// The Jubelio part of the connector check: the login and the webhook signature scheme.
import type { CommerceConnectors } from '../commerce/connectors.js';
import { message, type CheckLine, type CheckReport } from '../commerce/check-report.js';

export async function checkJubelio(c: CommerceConnectors): Promise<CheckReport> {
  const checks: CheckLine[] = [];
  if (!c.jubelio) return { connector: 'jubelio', ok: false, checks: [{ check: 'enabled', ok: false, detail: 'the Jubelio gateway is disabled (set JUBELIO_URL, JUBELIO_EMAIL, JUBELIO_PASSWORD, JUBELIO_WEBHOOK_SECRET)' }] };
  try {
    await c.jubelio.verifyLogin();
    checks.push({ check: 'login', ok: true, detail: `POST /login accepted the credentials of ${c.config.jubelio.email}` });
  } catch (err) {
    checks.push({ check: 'login', ok: false, detail: message(err) });
  }
  checks.push({ check: 'webhook signature', ok: c.config.jubelio.webhook.scheme !== 'none', detail: `scheme ${c.config.jubelio.webhook.scheme}${c.config.jubelio.webhook.scheme === 'path' ? ' (webhook URL ends with the secret)' : `, header ${c.config.jubelio.webhook.header}`}` });
  return { connector: 'jubelio', ok: checks.every((x) => x.ok), checks };
}
