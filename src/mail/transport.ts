// Where mail goes: SMTP when SMTP_URL is set, otherwise .eml files under ./var/mail (demo mode),
// so a developer can open exactly what a customer would receive.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  attachments?: { filename: string; contentType: string; content: string }[];
  /** Stable Message-ID so a receiving system can also deduplicate. */
  messageId: string;
}

export interface MailTransport {
  readonly kind: 'smtp' | 'files';
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  verify(): Promise<void>;
  close(): void;
}

export function createMailTransport(opts: { smtpUrl: string | null; mailDir: string }): MailTransport {
  if (opts.smtpUrl) {
    const transport = nodemailer.createTransport(opts.smtpUrl, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as never);
    return {
      kind: 'smtp',
      async send(mail) {
        const info = await transport.sendMail(mail);
        return { messageId: info.messageId ?? mail.messageId };
      },
      async verify() {
        await transport.verify();
      },
      close: () => transport.close(),
    };
  }
  const writer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'files',
    async send(mail) {
      const info = await writer.sendMail(mail);
      await mkdir(opts.mailDir, { recursive: true });
      const safe = mail.messageId.replace(/[^A-Za-z0-9._-]/g, '_');
      await writeFile(join(opts.mailDir, `${new Date().toISOString().replace(/[:.]/g, '-')}_${safe}.eml`), info.message as Buffer);
      return { messageId: mail.messageId };
    },
    async verify() {
      await mkdir(opts.mailDir, { recursive: true });
    },
    close: () => undefined,
  };
}
