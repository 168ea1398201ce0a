// An operator reads event-loop stalls from /metrics (kursus_nodejs_eventloop_lag_*). The delay is
// sampled every EVENT_LOOP_SAMPLE_MS rather than prom-client's 10 ms, to spare an idle process
// the wake-ups; a stall must still show in full.
import { createMetrics, EVENT_LOOP_SAMPLE_MS } from '../../src/observability/metrics.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function gauge(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} is not in the scrape`);
  return Number(line.slice(name.length + 1));
}

function block(ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

it('shows a 250 ms stall of the event loop in the max and p99 of the next scrape', async () => {
  const metrics = createMetrics({ processMetrics: true });
  const scrape = () => metrics.registry.metrics();
  await pause(3 * EVENT_LOOP_SAMPLE_MS);
  // A scrape resets the histogram; the sampler takes its first sample after it before the stall.
  await scrape();
  await pause(3 * EVENT_LOOP_SAMPLE_MS);
  const quiet = await scrape();
  expect(gauge(quiet, 'kursus_nodejs_eventloop_lag_max_seconds')).toBeLessThan(0.25);
  await pause(3 * EVENT_LOOP_SAMPLE_MS);
  block(250);
  await pause(3 * EVENT_LOOP_SAMPLE_MS);
  const after = await scrape();
  expect(gauge(after, 'kursus_nodejs_eventloop_lag_max_seconds')).toBeGreaterThanOrEqual(0.25);
  expect(gauge(after, 'kursus_nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0.25);
});
