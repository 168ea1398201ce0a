// A client that stops reading its answer must not hold a shutdown open: close() lets in-flight
// answers finish for the grace period, then cuts the connection and goes on to unlock the jobs
// and close the database. Without the deadline a stalled download of the IDE bundle kept close()
// waiting until the client went away (once for more than a minute in CI).
// HTTP-level behaviour, the same on both databases: SQLite only.
import { startHarness, type Harness } from '../support/harness.js';

describe('shutdown with a stalled client', () => {
  let h: Harness | undefined;
  afterAll(async () => {
    await h?.close().catch(() => {});
  });

  it('cuts a connection whose client stopped reading after the grace period, and still closes', async () => {
    h = await startHarness('sqlite', { build: { httpCloseGraceMs: 300 } });
    // The IDE bundle is megabytes: more than the socket buffers hold, so the server is mid-write.
    const stalled = await fetch(`${h.url}/graphql/ide/main.js`);
    expect(stalled.status).toBe(200);

    const closing = h.close();
    h = undefined;
    // Without the deadline this waits as long as the client holds on (undici's body timeout is
    // 5 minutes), far past this test's time limit.
    await expect(closing).resolves.toBeUndefined();
    await stalled.body?.cancel().catch(() => {});
  }, 20_000);
});
