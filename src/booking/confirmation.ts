// Order confirmation mails: one to the booker and one to each participant, each an outbox row with
// its own idempotency key, so re-running the job never queues (or sends) a mail twice.
import type { Em } from '../db/orm.js';
import { CourseDay } from '../catalog/entities.js';
import { enqueueMail } from '../mail/outbox.js';
import { orderConfirmation, type Language, type CourseInfo } from '../mail/templates.js';
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

export async function queueOrderConfirmation(em: Em, orderId: string, opts: { lang: Language; sender: string }): Promise<number> {
  const order = await em.findOne(Order, { id: orderId }, { populate: ['courseDate', 'participants'] });
  if (!order || !order.bookerEmail || order.anonymisedAt) return 0;
  const course = await courseInfo(em, order);
  const booker = { firstName: order.bookerFirstName ?? '', lastName: order.bookerLastName ?? '', email: order.bookerEmail };
  const participants = order.participants.getItems().map((p) => ({ firstName: p.firstName, lastName: p.lastName, email: p.email }));
  const base = { lang: opts.lang, orderId: order.id, seats: order.seats, course, participants, booker, sender: opts.sender };
  let queued = 0;
  const b = orderConfirmation({ ...base, recipient: booker, role: 'booker' });
  if (await enqueueMail(em, { key: `order-confirmation:${order.id}:booker`, kind: 'order-confirmation', orderId: order.id, to: booker.email, ...b })) queued++;
  for (const p of order.participants.getItems()) {
    const recipient = { firstName: p.firstName, lastName: p.lastName, email: p.email };
    const m = orderConfirmation({ ...base, recipient, role: 'participant' });
    if (await enqueueMail(em, { key: `order-confirmation:${order.id}:participant:${p.position}`, kind: 'order-confirmation', orderId: order.id, to: p.email, ...m })) queued++;
  }
  return queued;
}
