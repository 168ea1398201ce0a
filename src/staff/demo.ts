// The demo editor and demo admin of the back office (demo mode only). Their passwords are
// published in the DEMO MODE log line and the docs, so production disables them at every start
// and refuses the published passwords for any account.
import type { Db } from '../db/orm.js';
import { DEMO_SECRETS } from '../config.js';
import { StaffSession, StaffUser } from './entities.js';
import { addStaffUser } from './service.js';

/** Hashes computed once (scrypt, log2 N = 15) so a demo start pays no key derivation. */
export const DEMO_STAFF = [
  {
    email: 'editor@kursus.demo',
    role: 'editor',
    password: DEMO_SECRETS.staffEditorPassword,
    passwordHash: 'scrypt$15$8$1$vWeWmEpWMlwozw8PDhCu+Q==$Y6RPnKQOvfD+hq3F9BuRQcl1ZrqtweIcoGdACzMJUGI=',
  },
  {
    email: 'admin@kursus.demo',
    role: 'admin',
    password: DEMO_SECRETS.staffAdminPassword,
    passwordHash: 'scrypt$15$8$1$Gxbr6eSwuBk/xOXzSC6oHA==$YzGMVGkW/7pi2Ua85bMnscwqpNzKTrFa8/c/WAlPrvs=',
  },
] as const;

export const DEMO_STAFF_PASSWORDS: readonly string[] = DEMO_STAFF.map((u) => u.password);

/** Creates the demo editor and admin unless they exist. Safe when two processes start at once. */
export async function seedDemoStaff(db: Db): Promise<void> {
  for (const u of DEMO_STAFF) {
    if (await db.em().findOne(StaffUser, { email: u.email })) continue;
    try {
      await addStaffUser(db, { email: u.email, role: u.role, password: null, passwordHash: u.passwordHash });
    } catch (err) {
      if (!/already exists/.test(String((err as Error)?.message))) throw err;
    }
  }
}

/** Production on a database that once ran in demo mode: the demo accounts are disabled, their sessions ended. */
export async function disableDemoStaff(db: Db): Promise<number> {
  const em = db.em();
  const users = await em.find(StaffUser, { email: { $in: DEMO_STAFF.map((u) => u.email) }, active: true });
  if (!users.length) return 0;
  await em.nativeUpdate(StaffUser, { id: { $in: users.map((u) => u.id) } }, { active: false });
  await em.nativeDelete(StaffSession, { user: { $in: users.map((u) => u.id) } });
  return users.length;
}
