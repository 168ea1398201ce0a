// Without SMTP_URL (demo and test mode) mail is written as .eml files to `${VAR_DIR}/mail`, so a
// developer can open exactly what a customer would get. The files are read back and parsed.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { testDatabaseKinds } from '../support/databases.js';
import { until } from '../support/wait.js';
import { startHarness, type Harness } from '../support/harness.js';
import { createMailTransport } from '../../src/mail/transport.js';
import { participantCsv } from '../../src/mail/templates.js';
import { MAIL_COURSE, bookMailCourse, expectConfirmation, recipient } from './expect-mail.js';

async function readOutbox(dir: string): Promise<{ file: string; mail: ParsedMail }[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.eml')).sort();
  } catch {
    return [];
  }
  return Promise.all(files.map(async (file) => ({ file, mail: await simpleParser(await readFile(join(dir, file))) })));
}

describe('the .eml writer', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kursus-eml-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes one parseable file per mail, with both parts, the attachment and the Message-ID, into a directory it creates', async () => {
    const mailDir = join(dir, 'not', 'yet', 'there');
    const transport = createMailTransport({ smtpUrl: null, mailDir });
    expect(transport.kind).toBe('files');
    const csv = participantCsv([{ firstName: 'Søren', lastName: 'Ærø', email: 'soeren@example.dk', phone: null, company: '=HYPERLINK("x")' }]);
    const sent = await transport.send({
      from: 'Kursus <kursus@example.dk>',
      to: 'trainer@example.dk',
      subject: 'Deltagerliste: Lean og forbedringsarbejde (2030-03-11)',
      text: 'Kære træner\n\nHer er listen.',
      html: '<p>Kære træner</p><p>Her er listen.</p>',
      attachments: [{ filename: 'deltagere.csv', contentType: 'text/csv', content: csv }],
      messageId: '<abc/123@kursus>',
    });
    expect(sent.messageId).toBe('<abc/123@kursus>');
    await transport.send({ from: 'kursus@example.dk', to: 'other@example.dk', subject: 'Anden', text: 'b', html: '<p>b</p>', messageId: '<def@kursus>' });

    const out = await readOutbox(mailDir);
    expect(out).toHaveLength(2);
    // The file name is safe on every file system (no slashes, angle brackets or colons).
    for (const { file } of out) expect(file).toMatch(/^[A-Za-z0-9._-]+\.eml$/);
    const list = out.find((o) => recipient(o.mail) === 'trainer@example.dk')!.mail;
    expect(list.subject).toBe('Deltagerliste: Lean og forbedringsarbejde (2030-03-11)');
    expect(list.messageId).toBe('<abc/123@kursus>');
    expect(list.from!.value[0]).toEqual({ address: 'kursus@example.dk', name: 'Kursus' });
    expect(list.text).toBe('Kære træner\n\nHer er listen.');
    expect(list.html).toContain('<p>Kære træner</p>');
    expect(list.attachments).toHaveLength(1);
    expect(list.attachments[0]!.filename).toBe('deltagere.csv');
    expect(list.attachments[0]!.contentType).toBe('text/csv');
    expect(list.attachments[0]!.content.toString('utf8')).toBe(csv);
    transport.close();
  });
});

describe.each(testDatabaseKinds())('order confirmations without SMTP_URL on %s', (kind) => {
  let h: Harness;
  let varDir: string;

  beforeAll(async () => {
    varDir = await mkdtemp(join(tmpdir(), 'kursus-var-'));
    h = await startHarness(kind, { worker: true, simData: MAIL_COURSE, env: { VAR_DIR: varDir, MAIL_LANGUAGE: 'en' } });
  });
  afterAll(async () => {
    await h?.close();
    await rm(varDir, { recursive: true, force: true });
  });

  it('go to VAR_DIR/mail as .eml files, one per recipient, in the configured language', async () => {
    expect(h.kursus.mail.kind).toBe('files');
    const o = await bookMailCourse(h, 2, '-eml');
    // The confirmations (the booker's "booking received" at checkout is a mail of its own).
    const mine = async () => (await readOutbox(join(varDir, 'mail'))).filter((f) => f.mail.text?.includes(o.orderId) && !/^We have received /.test(f.mail.subject ?? ''));
    await until('3 .eml files', async () => (await mine()).length >= 3);
    const files = await mine();
    expect(files.map((f) => recipient(f.mail)).sort()).toEqual([o.booker.email, ...o.participants.map((p) => p.email)].sort());
    const names = { booker: `${o.booker.firstName} ${o.booker.lastName}`, participants: o.participants.map((p) => `${p.firstName} ${p.lastName} <${p.email}>`) };
    for (const { mail } of files) expectConfirmation(mail, 'en', recipient(mail) === o.booker.email ? 'booker' : 'participant', o.orderId, names);
  });
});
