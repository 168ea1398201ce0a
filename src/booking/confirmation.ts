// Mails about an order, in the order of events of the source system: at checkout a short "booking
// received" to the booker; once Maconomy has accepted the participants (SYNCED) a confirmation to
// the booker and to each participant; if Maconomy finally refused some (PARTIALLY_SYNCED), the
// booker is told who is and who is not booked, only accepted participants are confirmed, and the
// refused ones get nothing that says they are booked. Each mail is an outbox row with its own
// idempotency key, so re-running a job never queues (or sends) a mail twice.
import type { Em } from '../db/orm.js';
import { CourseDay } from '../catalog/entities.js';
import { dayView } from '../catalog/catalogue-memory.js';
import { enqueueMails, type MailDraft } from '../mail/outbox.js';
import { bookingReceived, orderConfirmation, partialBooking, type Language, type CourseInfo } from '../mail/templates.js';
import { Order } from './entities.js';

export async function courseInfo(em: Em, order: Order): Promise<CourseInfo> {
  const cd = order.courseDate;
  const days = await em.find(CourseDay, { courseDate: cd.id }, { orderBy: { date: 'asc' } });
  return {
    title: cd.title,
    maconomyId: cd.maconomyId,
    startDate: cd.startDate,
    endDate: cd.endDate,
    location: cd.location,
    days: days.map(dayView),
    unitPriceMinor: order.unitPriceMinor ?? cd.priceMinor,
    currency: order.currency ?? cd.currency,
  };
}

/**
 * The mails the order's state calls for: PLACED (or SYNC_FAILED): the booker's "booking received";
 * SYNCED: the confirmations; PARTIALLY_SYNCED: the booker's partial-booking mail and the accepted
 * participants' confirmations. Returns the order (with its course date and participants) beside
 * them, so the caller can add to them without loading it again.
 */
export async function orderMails(em: Em, orderId: string, opts: { lang: Language; sender: string }): Promise<{ order: Order | null; drafts: MailDraft[] }> {
  const order = await em.findOne(Order, { id: orderId }, { populate: ['courseDate', 'participants'] });
  if (!order || !order.bookerEmail || order.anonymisedAt) return { order, drafts: [] };
  if (order.status !== 'PLACED' && order.status !== 'SYNC_FAILED' && order.status !== 'SYNCED' && order.status !== 'PARTIALLY_SYNCED') return { order, drafts: [] };
  const course = await courseInfo(em, order);
  const booker = { firstName: order.bookerFirstName ?? '', lastName: order.bookerLastName ?? '', email: order.bookerEmail };
  const all = order.participants.getItems();
  const person = (p: (typeof all)[number]) => ({ firstName: p.firstName, lastName: p.lastName, email: p.email });
  const drafts: MailDraft[] = [];
  const add = (key: string, to: string, m: { subject: string; html: string; text: string }) => drafts.push({ key, kind: 'order-confirmation', orderId: order.id, to, ...m });

  if (order.status === 'PLACED' || order.status === 'SYNC_FAILED') {
    add(`order-received:${order.id}:booker`, booker.email, bookingReceived({ lang: opts.lang, recipient: booker, orderId: order.id, seats: order.seats, course, participants: all.map(person), sender: opts.sender }));
    return { order, drafts };
  }
  const accepted = all.filter((p) => p.maconomyState === 'ACCEPTED' || (order.status === 'SYNCED' && !!p.maconomyParticipantId));
  const refused = all.filter((p) => p.maconomyState === 'REFUSED');
  const base = { lang: opts.lang, orderId: order.id, course, booker, sender: opts.sender };
  if (order.status === 'SYNCED') add(`order-confirmation:${order.id}:booker`, booker.email, orderConfirmation({ ...base, seats: order.seats, participants: all.map(person), recipient: booker, role: 'booker' }));
  else add(`order-partial:${order.id}:booker`, booker.email, partialBooking({ ...base, recipient: booker, booked: accepted.map(person), refused: refused.map(person) }));
  for (const p of accepted)
    add(`order-confirmation:${order.id}:participant:${p.position}`, p.email, orderConfirmation({ ...base, seats: accepted.length, participants: accepted.map(person), recipient: person(p), role: 'participant' }));
  return { order, drafts };
}
