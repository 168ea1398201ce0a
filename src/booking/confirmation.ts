// Mails about an order, in the order of events of the source system: at checkout a short "booking
// received" to the booker; once Maconomy has accepted the participants (SYNCED) a confirmation to
// the booker and to each participant; if Maconomy finally refused some (PARTIALLY_SYNCED), the
// booker is told who is and who is not booked, only accepted participants are confirmed, and the
// refused ones get nothing that says they are booked. Each mail is an outbox row with its own
// idempotency key, so re-running a job never queues (or sends) a mail twice.
import type { Em } from '../db/orm.js';
import { CourseDay } from '../catalog/entities.js';
import { enqueueMail } from '../mail/outbox.js';
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
    days: days.map((d) => ({ date: d.date, startTime: d.editorStartTime ?? d.startTime ?? null, endTime: d.editorEndTime ?? d.endTime ?? null })),
    unitPriceMinor: order.unitPriceMinor ?? cd.priceMinor,
    currency: order.currency ?? cd.currency,
  };
}

/**
 * Queues what the order's state calls for: PLACED (or SYNC_FAILED): the booker's "booking
 * received"; SYNCED: the confirmations; PARTIALLY_SYNCED: the booker's partial-booking mail and the
 * accepted participants' confirmations. Returns how many mails were newly queued.
 */
export async function queueOrderConfirmation(em: Em, orderId: string, opts: { lang: Language; sender: string }): Promise<number> {
  const order = await em.findOne(Order, { id: orderId }, { populate: ['courseDate', 'participants'] });
  if (!order || !order.bookerEmail || order.anonymisedAt) return 0;
  const course = await courseInfo(em, order);
  const booker = { firstName: order.bookerFirstName ?? '', lastName: order.bookerLastName ?? '', email: order.bookerEmail };
  const all = order.participants.getItems();
  const person = (p: (typeof all)[number]) => ({ firstName: p.firstName, lastName: p.lastName, email: p.email });
  const queue = (key: string, to: string, m: { subject: string; html: string; text: string }) =>
    enqueueMail(em, { key, kind: 'order-confirmation', orderId: order.id, to, ...m }).then((queued) => (queued ? 1 : 0));
  let queued = 0;

  if (order.status === 'PLACED' || order.status === 'SYNC_FAILED') {
    const m = bookingReceived({ lang: opts.lang, recipient: booker, orderId: order.id, seats: order.seats, course, participants: all.map(person), sender: opts.sender });
    return queue(`order-received:${order.id}:booker`, booker.email, m);
  }
  if (order.status !== 'SYNCED' && order.status !== 'PARTIALLY_SYNCED') return 0;

  const accepted = all.filter((p) => p.maconomyState === 'ACCEPTED' || (order.status === 'SYNCED' && !!p.maconomyParticipantId));
  const refused = all.filter((p) => p.maconomyState === 'REFUSED');
  const base = { lang: opts.lang, orderId: order.id, course, booker, sender: opts.sender };
  if (order.status === 'SYNCED') {
    const b = orderConfirmation({ ...base, seats: order.seats, participants: all.map(person), recipient: booker, role: 'booker' });
    queued += await queue(`order-confirmation:${order.id}:booker`, booker.email, b);
  } else {
    const b = partialBooking({ ...base, recipient: booker, booked: accepted.map(person), refused: refused.map(person) });
    queued += await queue(`order-partial:${order.id}:booker`, booker.email, b);
  }
  for (const p of accepted) {
    const m = orderConfirmation({ ...base, seats: accepted.length, participants: accepted.map(person), recipient: person(p), role: 'participant' });
    queued += await queue(`order-confirmation:${order.id}:participant:${p.position}`, p.email, m);
  }
  return queued;
}
