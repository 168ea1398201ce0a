// A real SMTP server (smtp-server) on loopback that parses what arrives, for tests that check the
// mails a user would get. `rejectNext` makes it refuse the next recipient with an SMTP code.
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';

export interface Inbox {
  port: number;
  url: string;
  received: ParsedMail[];
  /** Reply to the next RCPT with this SMTP code (e.g. 550). */
  rejectNext: number | null;
  /** Mails addressed to this recipient. */
  to(address: string): ParsedMail[];
  close(): Promise<void>;
}

export async function startSmtp(port = 0): Promise<Inbox> {
  const inbox: Inbox = {
    port: 0,
    url: '',
    received: [],
    rejectNext: null,
    to: (address) => inbox.received.filter((m) => JSON.stringify(m.to ?? '').includes(address)),
    close: async () => undefined,
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo(_address, _session, cb) {
      if (inbox.rejectNext) {
        const code = inbox.rejectNext;
        inbox.rejectNext = null;
        return cb(Object.assign(new Error('mailbox unavailable'), { responseCode: code }));
      }
      cb();
    },
    onData(stream, _session, cb) {
      simpleParser(stream).then((m) => {
        inbox.received.push(m);
        cb();
      }, cb);
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  inbox.port = (server.server.address() as AddressInfo).port;
  inbox.url = `smtp://127.0.0.1:${inbox.port}`;
  inbox.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return inbox;
}
