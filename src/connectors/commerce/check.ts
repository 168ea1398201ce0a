// The connector check (`npm run connector-check -- <jubelio|baselinker|optimakers|bridge|all>` and
// GET /api/admin/connectors/{name}/check): calls the configured systems and reports what is
// reachable and which configured ids exist there, one line per fact, without any secret.
import type { CommerceConnectors } from './connectors.js';
import type { CheckReport } from './check-report.js';
import { checkJubelio } from '../jubelio/check.js';
import { checkBaseLinker, checkOptimakers } from '../baselinker-optimakers/check.js';

export type { CheckLine, CheckReport } from './check-report.js';

export const CHECK_TARGETS = ['jubelio', 'baselinker', 'optimakers', 'bridge', 'all'] as const;
export type CheckTarget = (typeof CHECK_TARGETS)[number];




export async function checkConnectors(c: CommerceConnectors, target: CheckTarget): Promise<CheckReport[]> {
  const out: CheckReport[] = [];
  if (target === 'jubelio' || target === 'all') out.push(await checkJubelio(c));
  if (target === 'baselinker' || target === 'bridge' || target === 'all') out.push(await checkBaseLinker(c));
  if (target === 'optimakers' || target === 'bridge' || target === 'all') out.push(await checkOptimakers(c));
  return out;
}

export function formatReports(reports: CheckReport[]): string {
  return reports
    .map((r) => [`${r.ok ? 'OK  ' : 'FAIL'} ${r.connector}`, ...r.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.check}: ${c.detail}`)].join('\n'))
    .join('\n');
}
