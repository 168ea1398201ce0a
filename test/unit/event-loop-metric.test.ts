// An operator reads event-loop stalls from /metrics (kursus_nodejs_eventloop_lag_*). The delay is
// sampled every EVENT_LOOP_SAMPLE_MS rather than prom-client's 10 ms, to spare an idle process
// the wake-ups; a stall must still show in full.
import { createMetrics, EVENT_LOOP_SAMPLE_MS } from '../../src/observability/metrics.js';
import { sample } from '../support/prometheus.js';
import { sleep } from '../support/wait.js';

function block(ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

it('shows a 250 ms stall of the event loop in the max and p99 of the next scrape', async () => {
  const metrics = createMetrics({ processMetrics: true });
  const scrape = () => metrics.registry.metrics();
  await sleep(3 * EVENT_LOOP_SAMPLE_MS);
  // A scrape resets the histogram; the sampler takes its first sample after it before the stall.
  await scrape();
  await sleep(3 * EVENT_LOOP_SAMPLE_MS);
  const quiet = await scrape();
  expect(sample(quiet, 'kursus_nodejs_eventloop_lag_max_seconds')).toBeLessThan(0.25);
  await sleep(3 * EVENT_LOOP_SAMPLE_MS);
  block(250);
  await sleep(3 * EVENT_LOOP_SAMPLE_MS);
  const after = await scrape();
  expect(sample(after, 'kursus_nodejs_eventloop_lag_max_seconds')).toBeGreaterThanOrEqual(0.25);
  expect(sample(after, 'kursus_nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0.25);
});
