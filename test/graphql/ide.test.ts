// The GraphQL IDE at /graphql in a real browser (Debian's Chromium): it works offline (nothing is
// fetched from anywhere but the app), shows no online-only feature (the "Try Altair AI" banner),
// opens with the README's walk-through operations and an editor window, and the walk-through's
// operations themselves run.
import { startBrowser, type Browser } from '../support/browser.js';
import { startHarness, type Harness } from '../support/harness.js';
import { testDatabaseKinds } from '../support/databases.js';
import { WALKTHROUGH_OPERATIONS } from '../../src/graphql/ide.js';

describe.each(testDatabaseKinds())('the GraphQL IDE (%s)', (kind) => {
  let h: Harness;
  let browser: Browser;
  beforeAll(async () => {
    h = await startHarness(kind);
    browser = await startBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('opens offline with the walk-through and the editor window, without the AI banner', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${h.url}/graphql`);
    await page.getByText('Storefront walk-through').first().waitFor({ timeout: 30_000 });
    await page.getByText('Editor: enrichCourse').first().waitFor({ timeout: 10_000 });
    // Give Altair the time in which it would show its start-up banners.
    await page.waitForTimeout(2_000);
    const text = await page.locator('body').innerText();
    expect(text).not.toMatch(/Altair AI/i);
    expect(text).toContain('mutation Reserve');
    const foreign = browser.requests.filter((u) => !u.startsWith(h.url) && !u.startsWith('data:') && !u.startsWith('blob:'));
    expect(foreign).toEqual([]);
    await page.close();
  });

  it("runs the walk-through's operations as the IDE holds them", async () => {
    const vars: Record<string, string> = { COURSE_ID: '25172-01' };
    for (const operationName of ['Upcoming', 'Reserve', 'ChangeSeats', 'Checkout', 'Order']) {
      const r = await h.raw({ query: WALKTHROUGH_OPERATIONS, operationName, variables: vars });
      expect({ operationName, errors: r.json?.errors }).toEqual({ operationName, errors: undefined });
      const d = r.json.data;
      if (d.reserveSeats?.orderToken) Object.assign(vars, { ORDER_ID: d.reserveSeats.order.id, ORDER_TOKEN: d.reserveSeats.orderToken });
    }
  });
});
