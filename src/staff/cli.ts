// `npm run user -- <command>`: staff accounts from the shell (the first admin has no other way in).
//   add <email> --role editor|admin [--password-stdin]   prints a generated password unless one is piped in
//   reset-password <email> [--password-stdin]            ends the user's sessions
//   disable <email>                                      ends the user's sessions at once
import type { Config } from '../config.js';
import { openDb } from '../db/orm.js';
import { DomainError } from '../errors.js';
import { DEMO_STAFF_PASSWORDS } from './demo.js';
import { addStaffUser, disableStaffUser, generatePassword, resetStaffPassword } from './service.js';

interface Log {
  info(obj: object, msg?: string): void;
  error(msg: string): void;
}

const USAGE = 'usage: npm run user -- add <email> --role editor|admin [--password-stdin] | reset-password <email> [--password-stdin] | disable <email>';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Returns the exit code. Errors are one line naming what to fix; the password never reaches the log. */
export async function runUserCommand(args: string[], config: Config, log: Log): Promise<number> {
  const [command, email, ...rest] = args;
  const flag = (name: string) => {
    const i = rest.indexOf(name);
    return i >= 0 ? (rest[i + 1] ?? '') : undefined;
  };
  if (!command || !email || !['add', 'reset-password', 'disable'].includes(command)) {
    log.error(USAGE);
    return 2;
  }
  const password = async () => {
    const given = rest.includes('--password-stdin') ? await readStdin() : null;
    if (given !== null && !config.demo && DEMO_STAFF_PASSWORDS.includes(given)) throw new DomainError('BAD_USER_INPUT', 'that is a published demo password, refused in production');
    return { value: given ?? generatePassword(), generated: given === null };
  };
  const db = await openDb(config.database);
  try {
    if (command === 'add') {
      const pw = await password();
      const user = await addStaffUser(db, { email, role: flag('--role'), password: pw.value });
      log.info({ role: user.role }, `staff user ${user.email} added`);
      if (pw.generated) process.stdout.write(`password for ${user.email}: ${pw.value}\n`);
    } else if (command === 'reset-password') {
      const pw = await password();
      await resetStaffPassword(db, email, pw.value);
      log.info({}, `password of ${email.trim().toLowerCase()} reset; its sessions have ended`);
      if (pw.generated) process.stdout.write(`new password for ${email.trim().toLowerCase()}: ${pw.value}\n`);
    } else {
      const r = await disableStaffUser(db, email);
      log.info({ sessionsEnded: r.sessionsEnded }, `staff user ${email.trim().toLowerCase()} disabled`);
    }
    return 0;
  } catch (err) {
    if (err instanceof DomainError) {
      log.error(`user ${command}: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await db.close();
  }
}
