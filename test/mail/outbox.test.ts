// The outbox delivers through a real SMTP server (smtp-server) and never sends one row twice.
import { testDatabaseKinds, createTestDatabase } from '../support/databases.js';
import { parseDatabaseUrl } from '../../src/config.js';
import { openDb, migrate, type Db } from '../../src/db/orm.js';
import { createMailTransport } from '../../src/mail/transport.js';
import { deliverMail, enqueueMail, resendMail } from '../../src/mail/outbox.js';
import { MailMessage } from '../../src/mail/entities.js';
import { startSmtp, type Inbox } from '../support/smtp.js';

const draft = (key: string) => ({
  key,
  kind: 'order-confirmation',
  to: 'kunde@example.dk',
  subject: 'Bekræftelse: Projektledelse',
  html: '<p>Kære kunde</p>',
  text: 'Kære kunde',
  attachments: [{ filename: 'liste.csv', contentType: 'text/csv', content: 'a,b\r\n' }],
});

describe.each(testDatabaseKinds())('mail outbox on %s', (kind) => {
  let db: Db;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const t = await createTestDatabase(kind);
    drop = t.drop;
    db = await openDb(parseDatabaseUrl(t.url));
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it('queues one row per key and delivers it once over SMTP, with attachment', async () => {
    const inbox = await startSmtp();
    try {
      const transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${inbox.port}`, mailDir: '/nonexistent' });
      expect(await enqueueMail(db.em(), draft('k1'))).toBe(true);
      expect(await enqueueMail(db.em(), draft('k1'))).toBe(false);
      const [first, second] = await Promise.all([
        deliverMail({ db, transport, from: 'Kursus <kursus@example.dk>' }),
        deliverMail({ db, transport, from: 'Kursus <kursus@example.dk>' }),
      ]);
      expect(first.sent + second.sent).toBe(1);
      expect(inbox.received).toHaveLength(1);
      expect(inbox.received[0]!.subject).toBe('Bekræftelse: Projektledelse');
      expect(inbox.received[0]!.attachments[0]!.filename).toBe('liste.csv');
      const row = await db.em().findOneOrFail(MailMessage, { key: 'k1' });
      expect(row.status).toBe('SENT');
      transport.close();
    } finally {
      await inbox.close();
    }
  });

  it("a delivery scoped to an order sends that order's mails only; the unscoped one sends the rest", async () => {
    const inbox = await startSmtp();
    try {
      const transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${inbox.port}`, mailDir: '/nonexistent' });
      const orderA = '00000000-0000-4000-8000-00000000000a';
      const orderB = '00000000-0000-4000-8000-00000000000b';
      await enqueueMail(db.em(), { ...draft('scope-a1'), orderId: orderA, to: 'a1@example.dk' });
      await enqueueMail(db.em(), { ...draft('scope-a2'), orderId: orderA, to: 'a2@example.dk' });
      await enqueueMail(db.em(), { ...draft('scope-b1'), orderId: orderB, to: 'b1@example.dk' });
      const scoped = await deliverMail({ db, transport, from: 'Kursus <kursus@example.dk>', orderId: orderA });
      expect(scoped.sent).toBe(2);
      expect(inbox.received).toHaveLength(2);
      expect(inbox.to('a1@example.dk')).toHaveLength(1);
      expect(inbox.to('a2@example.dk')).toHaveLength(1);
      expect((await db.em().findOneOrFail(MailMessage, { key: 'scope-b1' })).status).toBe('QUEUED');
      const rest = await deliverMail({ db, transport, from: 'Kursus <kursus@example.dk>' });
      expect(rest.sent).toBe(1);
      expect(inbox.received).toHaveLength(3);
      expect(inbox.to('b1@example.dk')).toHaveLength(1);
      transport.close();
    } finally {
      await inbox.close();
    }
  });

  it('retries while SMTP is down and sends exactly once when it is back', async () => {
    const probe = await startSmtp();
    const port = probe.port;
    await probe.close(); // nothing listens there now
    const transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${port}`, mailDir: '/nonexistent' });
    await enqueueMail(db.em(), draft('k2'));
    let clock = Date.now();
    const now = () => new Date(clock);
    const down = await deliverMail({ db, transport, from: 'k@example.dk', now });
    expect(down.retrying).toBe(1);
    const row = await db.em().findOneOrFail(MailMessage, { key: 'k2' });
    expect(row.status).toBe('RETRYING');
    expect(row.lastError).toMatch(/ECONNREFUSED|connect/i);
    // Not due yet: nothing is attempted.
    expect((await deliverMail({ db, transport, from: 'k@example.dk', now })).retrying).toBe(0);

    const inbox = await startSmtp(port);
    try {
      clock += 60 * 60_000;
      const up = await deliverMail({ db, transport, from: 'k@example.dk', now });
      expect(up.sent).toBe(1);
      expect((await deliverMail({ db, transport, from: 'k@example.dk', now })).sent).toBe(0);
      expect(inbox.received.filter((m) => m.subject === 'Bekræftelse: Projektledelse')).toHaveLength(1);
    } finally {
      transport.close();
      await inbox.close();
    }
  });

  it('fails at once on a permanent rejection, and an operator can resend', async () => {
    const inbox = await startSmtp();
    try {
      const transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${inbox.port}`, mailDir: '/nonexistent' });
      await enqueueMail(db.em(), draft('k3'));
      inbox.rejectNext = 550;
      expect((await deliverMail({ db, transport, from: 'k@example.dk' })).failed).toBe(1);
      const row = await db.em().findOneOrFail(MailMessage, { key: 'k3' });
      expect(row.status).toBe('FAILED');
      expect(await resendMail(db.em(), row.id)).toBe(true);
      expect((await deliverMail({ db, transport, from: 'k@example.dk' })).sent).toBe(1);
      expect(inbox.received).toHaveLength(1);
      transport.close();
    } finally {
      await inbox.close();
    }
  });

  it('marks a row whose worker died mid-send FAILED instead of sending it again', async () => {
    const inbox = await startSmtp();
    try {
      const transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${inbox.port}`, mailDir: '/nonexistent' });
      await enqueueMail(db.em(), draft('k4'));
      await db.em().nativeUpdate(MailMessage, { key: 'k4' }, { status: 'SENDING', claimedAt: new Date(Date.now() - 60 * 60_000), attempts: 1 });
      const r = await deliverMail({ db, transport, from: 'k@example.dk' });
      expect(r.stuck).toBe(1);
      expect(inbox.received).toHaveLength(0);
      expect((await db.em().findOneOrFail(MailMessage, { key: 'k4' })).status).toBe('FAILED');
      transport.close();
    } finally {
      await inbox.close();
    }
  });
});
