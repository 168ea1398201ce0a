// The back office in a real browser (Debian's Chromium via playwright-core), on SQLite and MySQL:
// editors enrich a course date, admins retry a failed sync and resend a failed mail and open
// Agendash, roles and CSRF hold, and no page asks any other host for anything. Screenshots of every
// screen go to var/screenshots/; each page's time-to-data is measured and written next to them.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { startHarness, type Harness } from '../support/harness.js';
import { testDatabaseKinds } from '../support/databases.js';
import { until } from '../support/wait.js';
import { buildBackOffice, startBrowser, type Browser } from '../support/browser.js';
import { DEMO_STAFF } from '../../src/staff/demo.js';
import { Order, SeatDrift } from '../../src/booking/entities.js';
import { CourseDate } from '../../src/catalog/entities.js';
import { MailMessage } from '../../src/mail/entities.js';

const SHOTS = 'var/screenshots';
const [EDITOR, ADMIN] = DEMO_STAFF;
const MARKUP = '<img src=x onerror=alert(1)>';

describe.each(testDatabaseKinds())('back office in Chromium (%s)', (kind) => {
  let h: Harness;
  let browser: Browser;
  const timings: Record<string, number> = {};
  const dialogs: string[] = [];

  beforeAll(async () => {
    buildBackOffice();
    mkdirSync(SHOTS, { recursive: true });
    h = await startHarness(kind, { worker: true });
    browser = await startBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    writeFileSync(`${SHOTS}/time-to-data-${kind}.json`, JSON.stringify(timings, null, 2) + '\n');
    process.stderr.write(`[back office ${kind}] time to data (ms): ${JSON.stringify(timings)}\n`);
  });

  const newPage = async () => {
    const page = await browser.context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    return page;
  };
  /** Navigates and waits for the page's data; the time from navigation start to data on screen. */
  const timed = async (page: Page, name: string, go: () => Promise<unknown>, dataSelector: string) => {
    const t0 = Date.now();
    await go();
    await page.locator(dataSelector).first().waitFor({ state: 'visible', timeout: 15_000 });
    timings[name] = Date.now() - t0;
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/${kind}-${name}.png`, fullPage: true });
  const logIn = async (page: Page, user: { email: string; password: string }) => {
    // One browser profile for the whole suite: the previous user's session goes first.
    await browser.context.clearCookies();
    await page.goto(`${h.url}/admin/`);
    await page.locator('[data-testid=login-page]').waitFor();
    await page.fill('input[name=email]', user.email);
    await page.fill('input[name=password]', user.password);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=who]').waitFor();
  };

  it('serves the built SPA under a strict CSP, at most 500 kB gzipped', async () => {
    const res = await fetch(`${h.url}/admin/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe');
    const assets = readdirSync('dist/admin/assets');
    const gzipped = Object.fromEntries(assets.map((f) => [f, gzipSync(readFileSync(`dist/admin/assets/${f}`), { level: 9 }).length]));
    const total = Object.values(gzipped).reduce((a, b) => a + b, 0);
    writeFileSync(`${SHOTS}/bundle-size.json`, JSON.stringify({ gzippedBytes: total, files: gzipped }, null, 2) + '\n');
    process.stderr.write(`[back office] bundle: ${(total / 1024).toFixed(1)} kB gzipped (${assets.join(', ')})\n`);
    expect(total).toBeLessThanOrEqual(500 * 1024);
  });

  it('sends a logged-out visitor to the login page, and shows a wrong password at the form', async () => {
    const page = await newPage();
    await timed(page, 'login', () => page.goto(`${h.url}/admin/#/orders`), '[data-testid=login-page]');
    expect(page.url()).toMatch(/#\/login$/);
    await page.fill('input[name=email]', EDITOR.email);
    await page.fill('input[name=password]', 'not the password');
    await page.click('button[type=submit]');
    await expect(page.locator('[data-testid=login-error]').textContent()).resolves.toMatch(/Wrong e-mail or password/);
    await shot(page, 'login');
    const jobs = await page.goto(`${h.url}/admin/jobs/`);
    expect(page.url()).toMatch(/\/admin\/#\/login$/);
    expect(jobs?.status()).toBe(200);
    await page.close();
  });

  it('an editor changes a day time and a trainer, sees a validation error, saves, and the storefront shows it; markup stays text', async () => {
    const page = await newPage();
    await logIn(page, EDITOR);
    await timed(page, 'course dates', () => page.goto(`${h.url}/admin/#/course-dates`), '[data-testid=course-dates] tbody tr');
    await shot(page, 'course-dates');
    const first = page.locator('[data-testid=course-dates] tbody tr a').first();
    const maconomyId = (await first.textContent())!.trim();

    // The keyboard alone: the first Tab reaches the skip link, then the menu; a filter is typed and sent with Enter.
    const focused = () => page.evaluate(() => {
      const el = (globalThis as any).document.activeElement;
      return { text: el?.textContent?.trim(), href: el?.getAttribute('href') };
    });
    await page.reload();
    await page.locator('[data-testid=course-dates] tbody tr').first().waitFor();
    await page.keyboard.press('Tab');
    expect(await focused()).toEqual({ text: 'Gå til indhold', href: '#main' });
    await page.keyboard.press('Tab');
    expect((await focused()).href).toBe('#/course-dates');
    await page.focus('input[name=search]');
    await page.keyboard.type(maconomyId);
    await page.keyboard.press('Enter');
    await page.waitForURL(/search=/);
    // The hash change remounts the list: until the filtered answer arrives, the old rows (or none) can
    // be on screen, so wait for the filtered list itself rather than for any first row.
    await page.waitForFunction((id) => {
      const rows = (globalThis as any).document.querySelectorAll('[data-testid=course-dates] tbody tr');
      return rows.length === 1 && rows[0].textContent.includes(id);
    }, maconomyId, { timeout: 10_000 }).catch(() => undefined);
    const rows = page.locator('[data-testid=course-dates] tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(maconomyId);
    // English labels, remembered; back to Danish for the rest.
    await page.getByRole('button', { name: 'English' }).click();
    expect(await page.locator('main h1').textContent()).toBe('Course dates');
    await shot(page, 'course-dates-en');
    await page.getByRole('button', { name: 'Dansk' }).click();
    expect(await page.locator('main h1').textContent()).toBe('Kursusdatoer');
    const t0 = Date.now();
    await first.click();
    await page.locator('[data-testid=course-date-title]').waitFor();
    timings['course date'] = Date.now() - t0;
    const id = page.url().split('/').pop()!;

    // Keyboard: a bad time, saved with Enter, shows the error at the field.
    await page.fill('input[name="days[0].startTime"]', '9.00');
    await page.focus('input[name="days[0].startTime"]');
    await page.keyboard.press('Enter');
    const fieldError = page.locator('#err-days-0-startTime');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toMatch(/HH:MM/);
    expect(await page.getAttribute('input[name="days[0].startTime"]', 'aria-invalid')).toBe('true');
    await shot(page, 'course-date-error');

    await page.fill('input[name="days[0].startTime"]', '08:15');
    await page.fill('input[name="days[0].endTime"]', '15:45');
    await page.getByRole('button', { name: 'Tilføj underviser' }).click();
    await page.fill('input[name="trainers[0].name"]', 'Anne Holm');
    expect(await page.getAttribute('input[name="trainers[0].email"]', 'readonly')).not.toBeNull();
    await page.fill('textarea[name=note]', MARKUP);
    await page.getByRole('button', { name: 'Gem' }).click();
    await page.locator('[data-testid=message]').waitFor();
    await shot(page, 'course-date');

    // Stored as entered, shown as text: no element was made from it, no script ran.
    expect(await page.locator('textarea[name=note]').inputValue()).toBe(MARKUP);
    expect(await page.locator('[data-testid=audit]').textContent()).toContain(MARKUP);
    expect(await page.locator('img[src=x]').count()).toBe(0);

    const store = await h.raw({ query: 'query($m: String) { course(maconomyId: $m) { id note days { startTime endTime } trainers { name } } }', variables: { m: maconomyId } });
    expect(store.json.data.course).toMatchObject({ id, note: MARKUP, trainers: [{ name: 'Anne Holm' }] });
    expect(store.json.data.course.days[0]).toEqual({ startTime: '08:15', endTime: '15:45' });
    expect(await page.locator('[data-testid=audit]').textContent()).toContain(EDITOR.email);
    // Tablet width: the same page, one column.
    await page.setViewportSize({ width: 768, height: 1024 });
    await shot(page, 'course-date-tablet');
    await page.setViewportSize({ width: 1280, height: 800 });

    // Admin screens and Agendash are closed to editors.
    await page.goto(`${h.url}/admin/#/orders`);
    await page.locator('[data-testid=forbidden]').waitFor();
    const jobs = await page.goto(`${h.url}/admin/jobs/`);
    expect(jobs?.status()).toBe(403);
    const api = await page.request.get(`${h.url}/admin/jobs/api?limit=1`);
    expect(api.status()).toBe(403);

    // A cookie-authenticated write without the CSRF token is refused, from the page itself.
    await page.goto(`${h.url}/admin/#/course-dates`);
    await page.locator('[data-testid=course-dates]').waitFor();
    const refused: any = await page.evaluate(async (courseId) => {
      const res = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation($id: ID!) { updateCourseDate(input: { id: $id, note: "csrf" }) { id } }', variables: { id: courseId } }),
      });
      return res.json();
    }, id);
    expect(refused.errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await h.raw({ query: 'query($id: ID) { course(id: $id) { note } }', variables: { id } })).json.data.course.note).toBe(MARKUP);
    await page.close();
  });

  it('an admin finds a SYNC_FAILED order and retries it until SYNCED, resends a failed mail, sees seat drift, reads the connector log and opens Agendash', async () => {
    // A placed order whose sync attempts were used up.
    const course = (await h.raw({ query: '{ courses(first: 1, filter: { onlyAvailable: true }) { edges { node { id } } } }' })).json.data.courses.edges[0].node;
    const r = await h.raw({ query: 'mutation($i: ReserveSeatsInput!) { reserveSeats(input: $i) { order { id } orderToken } }', variables: { i: { courseId: course.id, seats: 1 } } });
    const { order, orderToken } = r.json.data.reserveSeats;
    const person = { firstName: 'Bo', lastName: 'Berg', email: `bo.${kind}@example.dk` };
    await h.raw({ query: 'mutation($i: CheckoutInput!) { checkout(input: $i) { order { id } } }', variables: { i: { orderId: order.id, orderToken, booker: person, participants: [person] } } });
    await until('synced', async () => ((await h.db.em().findOne(Order, { id: order.id }))?.status === 'SYNCED' ? true : null));
    await h.db.em().nativeUpdate(Order, { id: order.id }, { status: 'SYNC_FAILED', syncAttempts: 8, lastSyncError: 'Maconomy answered 503 Service Unavailable' });
    const em = h.db.em();
    const mail = em.create(MailMessage, { key: `browser-failed-${kind}`, kind: 'order-confirmation', recipient: 'kunde@example.dk', subject: 'Ordrebekræftelse', html: '<p>x</p>', text: 'x', status: 'FAILED', attempts: 5, lastError: '550 mailbox unavailable', nextAttemptAt: new Date() } as never);
    await em.flush();

    const page = await newPage();
    await logIn(page, ADMIN);
    await timed(page, 'orders', () => page.goto(`${h.url}/admin/#/orders?search=${encodeURIComponent(person.email)}`), `[data-order="${order.id}"]`);
    const card = page.locator(`[data-order="${order.id}"]`);
    expect(await card.locator('[data-testid=order-status]').textContent()).toBe('SYNC_FAILED');
    await shot(page, 'orders');
    await card.getByRole('button', { name: 'Synkroniser igen' }).click();
    await until('SYNCED in the page', async () => {
      await page.goto(`${h.url}/admin/#/orders?search=${encodeURIComponent(person.email)}&t=${Date.now()}`);
      await page.locator(`[data-order="${order.id}"] [data-testid=order-status]`).waitFor();
      return (await page.locator(`[data-order="${order.id}"] [data-testid=order-status]`).textContent()) === 'SYNCED' ? true : null;
    });
    await shot(page, 'orders-synced');

    await timed(page, 'mails', () => page.goto(`${h.url}/admin/#/mails`), `[data-mail="${mail.id}"]`);
    await shot(page, 'mails');
    await page.locator(`[data-mail="${mail.id}"]`).getByRole('button').click();
    await until('mail sent', async () => ((await h.db.em().findOne(MailMessage, { id: mail.id }))?.status === 'SENT' ? true : null));

    // Seat drift as reconcile-seats records it: Maconomy shows fewer free seats than are held here
    // (the running worker may resolve it at once, as nothing really drifted: resolved ones are shown too).
    const driftDate = (await h.db.em().findOne(CourseDate, { id: course.id }))!;
    const at = new Date();
    const driftEm = h.db.em();
    driftEm.create(SeatDrift, { courseDate: driftDate.id, kind: 'OVERCOMMITTED', maconomyFreeSeats: 1, heldHere: 3, firstSeenAt: at, lastSeenAt: at } as never);
    await driftEm.flush();
    await timed(page, 'seat drift', () => page.goto(`${h.url}/admin/#/seat-drift?resolved=1`), `[data-drift="${driftDate.maconomyId}"]`);
    expect(await page.locator(`[data-drift="${driftDate.maconomyId}"]`).textContent()).toContain('OVERCOMMITTED');
    await shot(page, 'seat-drift');

    await h.kursus.httpLog.flush();
    await timed(page, 'connector log', () => page.goto(`${h.url}/admin/#/log`), '[data-testid=connector-log] tbody tr');
    await page.locator('[data-testid=recurring-jobs] tbody tr').first().waitFor();
    await shot(page, 'connector-log');

    const t0 = Date.now();
    const jobs = await page.goto(`${h.url}/admin/jobs/`);
    expect(jobs?.status()).toBe(200);
    await page.getByText('import-courses').first().waitFor({ timeout: 15_000 });
    timings['jobs (Agendash)'] = Date.now() - t0;
    for (const name of ['sync-pending-orders', 'deliver-mail', 'clear-reservations']) await page.getByText(name).first().waitFor();
    await shot(page, 'jobs');

    // Logging out ends the session on the server: the cookie the browser had no longer opens anything.
    const cookie = (await browser.context.cookies()).find((c) => c.name === 'kursus_staff')!;
    await page.goto(`${h.url}/admin/#/course-dates`);
    await page.getByRole('button', { name: 'Log ud' }).click();
    await page.locator('[data-testid=login-page]').waitFor();
    const replay = await fetch(`${h.url}/admin/api/session`, { headers: { cookie: `kursus_staff=${cookie.value}` } });
    expect(replay.status).toBe(401);
    await page.close();
  });

  it('no admin page requested anything from another host, and no markup ran', () => {
    const origin = new URL(h.url).origin;
    const foreign = browser.requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'));
    expect(browser.requests.length).toBeGreaterThan(10);
    expect(foreign).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
