// What the booker, each participant and the operators actually receive, in Danish and in English:
// a real checkout over GraphQL, the real send-order-confirmation job, delivered through a real SMTP
// server and parsed back. Both the plain-text and the HTML part must carry the course, its dates,
// days and times, location and price.
import { testDatabaseKinds } from '../support/databases.js';
import { startSmtp, type Inbox } from '../support/smtp.js';
import { until } from '../support/wait.js';
import { startHarness, type Harness } from '../support/harness.js';
import { EXPECTED, MAIL_COURSE, bookMailCourse, expectConfirmation, htmlRows, recipient, textRows } from './expect-mail.js';

const cases = testDatabaseKinds().flatMap((kind) => (['da', 'en'] as const).map((lang) => [kind, lang] as const));

describe.each(cases)('order confirmation and operator alert on %s in MAIL_LANGUAGE=%s, over SMTP', (kind, lang) => {
  let h: Harness;
  let smtp: Inbox;

  beforeAll(async () => {
    smtp = await startSmtp();
    h = await startHarness(kind, {
      worker: true,
      simData: MAIL_COURSE,
      env: { SMTP_URL: smtp.url, MAIL_LANGUAGE: lang, OPS_EMAIL: 'drift@example.dk', SYNC_ATTEMPTS: '1', MAIL_FROM: 'Kurser <kurser@example.dk>' },
    });
  });
  afterAll(async () => {
    await h?.close();
    await smtp?.close();
  });
  afterEach(() => h.sim.faults.clear());

  it('mails the booker and each participant once, with course, dates, days and times, location and price in text and HTML', async () => {
    const o = await bookMailCourse(h, 2, `-${lang}`);
    // First a "booking received" to the booker; the confirmations once Maconomy accepted the order.
    const received = (m: (typeof smtp.received)[number]) => /^(Vi har modtaget|We have received) /.test(m.subject ?? '');
    const mine = () => smtp.received.filter((m) => m.text?.includes(o.orderId) && !received(m));
    await until('3 confirmation mails', () => mine().length >= 3);
    const mails = mine();
    expect(smtp.received.filter((m) => m.text?.includes(o.orderId) && received(m)).map(recipient)).toEqual([o.booker.email]);
    expect(mails.map(recipient).sort()).toEqual([o.booker.email, ...o.participants.map((p) => p.email)].sort());
    const names = { booker: `${o.booker.firstName} ${o.booker.lastName}`, participants: o.participants.map((p) => `${p.firstName} ${p.lastName} <${p.email}>`) };
    for (const m of mails) {
      const to = recipient(m);
      expect(m.from!.value[0]).toEqual({ address: 'kurser@example.dk', name: 'Kurser' });
      expectConfirmation(m, lang, to === o.booker.email ? 'booker' : 'participant', o.orderId, names);
    }
  });

  it('alerts OPS_EMAIL in the same language when an order cannot be sent to Maconomy', async () => {
    h.sim.faults.failNext(1000, { status: 503, path: '/api/webparticipant' });
    const o = await bookMailCourse(h, 1, `-${lang}-fail`);
    const alert = await until('operator alert', () => smtp.to('drift@example.dk').find((m) => m.text?.includes(o.orderId)), 30_000);
    const e = EXPECTED[lang];
    expect(alert.subject).toBe(e.alertSubject);
    expect(textRows(alert.text ?? '')[e.alertOrder]).toBe(o.orderId);
    expect(htmlRows(alert.html as string)[e.alertOrder]).toBe(o.orderId);
    expect(alert.text).toContain(`${e.alertAction} `);
    expect(alert.text).toContain('retryOrderSync');
    // Operators get ids, not the customer's personal data.
    expect(alert.text).not.toContain(o.booker.email);
  });
});
