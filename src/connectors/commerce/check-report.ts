// The shape of a connector check's answer (src/connectors/commerce/check.ts runs them), shared by
// each system's own check.
export interface CheckLine {
  check: string;
  ok: boolean;
  detail: string;
}
export interface CheckReport {
  connector: string;
  ok: boolean;
  checks: CheckLine[];
}

/** An error as one line of a report: its message, cut. */
export const message = (err: unknown) => ((err as Error)?.message ?? String(err)).slice(0, 500);
