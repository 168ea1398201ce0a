// Waiting for something asynchronous (a job, a mail) to happen, with a deadline that names it.
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function until<T>(what: string, fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * The slowest /healthz answer allowed while a hostile request is being refused. What these checks
 * guard against (a regex backtracking, a document analysed for ever) holds the process for seconds;
 * a loaded 2-core CI machine answers any request in up to ~200 ms now and then.
 */
export const STILL_RESPONSIVE_MS = 300;
