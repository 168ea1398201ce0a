// The Jubelio and BaseLinker clients stay under the providers' rate limits: a burst of concurrent
// work against the simulators, which enforce their own limit (a 429 / ERROR_QUERY_LIMIT_EXCEEDED
// beyond it), never gets a rate-limit answer. The limits are lowered and their window shortened to
// one second, in the simulator and in the client alike, so the burst takes seconds, not minutes.
import { JubelioClient } from '../../src/connectors/jubelio/client.js';
import { BaseLinkerClient } from '../../src/connectors/baselinker-optimakers/baselinker-client.js';
import { loadConfig } from '../../src/config.js';
import { startJubelioSimulator } from '../../src/simulators/jubelio.js';
import { startBaseLinkerSimulator } from '../../src/simulators/baselinker.js';

const WINDOW_MS = 1000;

/** Runs `total` tasks on `workers` concurrent workers. */
async function burst(total: number, workers: number, task: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let i = next++; i < total; i = next++) await task(i);
    }),
  );
}

describe('rate limits under a burst', () => {
  it('defaults stay a margin below the providers\' limits (Jubelio 600, BaseLinker 100 per minute)', () => {
    const c = loadConfig({ NODE_ENV: 'test' });
    expect(c.jubelio.rateLimitPerMinute).toBe(540);
    expect(c.bridge.baselinker.rateLimitPerMinute).toBe(90);
    expect(new JubelioClient({ baseUrl: 'http://127.0.0.1:1', email: 'e', password: 'p' }).limiter.perMinute).toBe(540);
    expect(new BaseLinkerClient({ url: 'http://127.0.0.1:1/connector.php', token: 't' }).limiter.perMinute).toBe(90);
  });

  // 90% is the default margin; 100% shows the limiter holds even with no margin at all, because a
  // request is counted until its answer is in (the peer counts it on arrival, in between).
  it.each([
    ['90% of', 18],
    ['100% of', 20],
  ])('Jubelio: 45 product writes from 8 workers with the client at %s the limit get no 429', async (_label, clientLimit) => {
    const sim = await startJubelioSimulator({ rateLimitPerMinute: 20, rateLimitWindowMs: WINDOW_MS });
    try {
      const client = new JubelioClient({ baseUrl: sim.url, email: 'erp@example.co.id', password: 'demo-jubelio-password', rateLimitPerMinute: clientLimit, rateLimitWindowMs: WINDOW_MS, retries: 0 });
      const started = Date.now();
      await burst(45, 8, (i) =>
        client.saveProductGroup({
          item_group_id: 0,
          item_group_name: `Kaos ${i}`,
          description: '',
          sell_price: 1000 + i,
          buy_price: 500,
          uom_id: 1,
          item_category_id: 1,
          brand_id: null,
          product_skus: [{ item_id: 0, item_code: `BURST-${i}`, sell_price: 1000 + i, buy_price: 500, barcode: null, variation_values: [] }],
        }),
      );
      expect(sim.rateLimited()).toBe(0);
      expect(sim.products.size).toBe(45);
      expect(sim.requests.filter((r) => r.path.startsWith('/inventory/catalog')).length).toBe(45);
      // 45 writes are more than two windows' worth: the limiter held calls back for at least two
      // windows (a lower bound, which a busy machine cannot make fail).
      expect(Date.now() - started).toBeGreaterThanOrEqual(2 * WINDOW_MS - 50);
    } finally {
      await sim.close();
    }
  });

  it.each([
    ['90% of', 9],
    ['100% of', 10],
  ])('BaseLinker: 30 getOrders from 6 workers with the client at %s the limit get no query-limit error', async (_label, clientLimit) => {
    const sim = await startBaseLinkerSimulator({ rateLimitPerMinute: 10, rateLimitWindowMs: WINDOW_MS });
    sim.addDemoOrders(3);
    try {
      const client = new BaseLinkerClient({ url: sim.endpoint, token: 'demo-baselinker-token', rateLimitPerMinute: clientLimit, rateLimitWindowMs: WINDOW_MS, retries: 0 });
      const received: number[] = [];
      const started = Date.now();
      await burst(30, 6, async () => received.push((await client.getOrders({ status_id: 1002 })).received));
      expect(sim.rateLimited()).toBe(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2 * WINDOW_MS - 50); // 30 calls at 9-10 a window: held back twice
      expect(received).toEqual(Array(30).fill(3));
    } finally {
      await sim.close();
    }
  });
});
