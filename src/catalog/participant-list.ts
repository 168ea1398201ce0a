// send-participant-list: mails each trainer the participants (as Maconomy knows them) of their
// course dates starting within the next `days` days. The outbox key includes the local date, so a
// trainer gets one list per course date per day however often the job runs.
import type { Db } from '../db/orm.js';
import type { MaconomyClient } from '../integrations/maconomy/index.js';
import { enqueueMail } from '../mail/outbox.js';
import { participantList, type Language } from '../mail/templates.js';
import { CourseDate, CourseDay } from './entities.js';
import { dayView } from './catalogue-memory.js';
import { dateTimeFormat } from '../intl.js';

export function localDate(now: Date, timeZone: string, plusDays = 0): string {
  const d = new Date(now.getTime() + plusDays * 86_400_000);
  return dateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

export async function sendParticipantLists(deps: {
  db: Db;
  maconomy: Pick<MaconomyClient, 'listParticipants'>;
  days: number;
  timeZone: string;
  lang: Language;
  sender: string;
  now?: Date;
  log?: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
}): Promise<{ courseDates: number; queued: number; skippedNoEmail: number; failed: number }> {
  const now = deps.now ?? new Date();
  const today = localDate(now, deps.timeZone);
  const until = localDate(now, deps.timeZone, deps.days);
  const em = deps.db.em();
  const dates = await em.find(
    CourseDate,
    { startDate: { $gte: today, $lte: until }, published: true, status: 'OPEN' },
    { populate: ['trainers'], orderBy: { startDate: 'asc' } },
  );
  const result = { courseDates: 0, queued: 0, skippedNoEmail: 0, failed: 0 };
  for (const cd of dates) {
    const trainers = cd.trainers.getItems();
    if (!trainers.length) continue;
    result.courseDates++;
    let participants;
    try {
      participants = await deps.maconomy.listParticipants(cd.maconomyId);
    } catch (err) {
      // One unreachable date must not stop the others; the next run (tomorrow, or a manual run) retries.
      result.failed++;
      deps.log?.warn({ maconomyId: cd.maconomyId, error: (err as Error).message }, 'participant list skipped: Maconomy did not answer');
      continue;
    }
    const days = await em.find(CourseDay, { courseDate: cd.id }, { orderBy: { date: 'asc' } });
    const course = {
      title: cd.title, maconomyId: cd.maconomyId, startDate: cd.startDate, endDate: cd.endDate, location: cd.location,
      days: days.map(dayView),
      unitPriceMinor: cd.priceMinor, currency: cd.currency,
    };
    for (const t of trainers) {
      if (!t.email) {
        result.skippedNoEmail++;
        continue;
      }
      const mail = participantList({
        lang: deps.lang, trainerName: t.name, course, sender: deps.sender,
        participants: participants.map((p) => ({ firstName: p.firstName, lastName: p.lastName, email: p.email, phone: p.phone, company: p.company })),
      });
      const queued = await enqueueMail(deps.db.em(), {
        key: `participant-list:${cd.id}:${t.id}:${today}`,
        kind: 'participant-list',
        to: t.email,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        attachments: [{ filename: `deltagere-${cd.maconomyId}.csv`, contentType: 'text/csv; charset=utf-8', content: mail.csv }],
      });
      if (queued) result.queued++;
    }
  }
  deps.log?.info({ ...result, from: today, until }, 'send-participant-list finished');
  return result;
}
