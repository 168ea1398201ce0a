// The end-of-test ledger every fault test checks: seats, orders, participants in Maconomy, mails.
// Nothing lost: every order the client was told about exists with its seats; nothing duplicated:
// each participant reaches Maconomy once and each mail is sent once.
import type { Db } from '../../src/db/orm.js';
import { Order } from '../../src/booking/entities.js';
import { MailMessage } from '../../src/mail/entities.js';
import { externalRef } from '../../src/booking/sync.js';

export interface ParticipantRecordLike {
  external_ref: string;
}

export async function expectLedger(
  db: Db,
  opts: {
    /** Orders the client was told exist (id -> seats). */
    confirmed: Map<string, number>;
    /**
     * Participants Maconomy holds for the course dates involved. "Created twice" is only provable
     * when the simulator ran with faults.dedupeExternalRef = false: one that refuses a repeated
     * external_ref (409) hides a second POST, and the duplicate check below cannot fail.
     */
    maconomyParticipants: ParticipantRecordLike[];
    /** Orders that must be SYNCED (their participants in Maconomy exactly once). */
    synced?: string[];
    /** Recipients that must each have got exactly one mail (SMTP inbox), when given. */
    mailsTo?: { recipients: string[]; received: (address: string) => number };
  },
): Promise<void> {
  const em = db.em();
  const orders = await em.find(Order, { id: { $in: [...opts.confirmed.keys()] } });
  const byId = new Map(orders.map((o) => [o.id, o]));
  for (const [id, seats] of opts.confirmed) {
    const o = byId.get(id);
    if (!o) throw new Error(`order ${id} was confirmed to the client but is not stored`);
    if (o.seats !== seats) throw new Error(`order ${id} has ${o.seats} seats, the client was told ${seats}`);
  }
  // One record per POST that created a participant (the simulator does not deduplicate when the
  // test says so): a participant sent twice shows up twice here.
  const refs = opts.maconomyParticipants.map((p) => p.external_ref);
  const dupes = [...new Set(refs.filter((r, i) => refs.indexOf(r) !== i))];
  if (dupes.length) throw new Error(`participants created twice in Maconomy: ${dupes.join(', ')}`);
  for (const id of opts.synced ?? []) {
    const o = byId.get(id) ?? (await em.findOne(Order, { id }));
    if (o?.status !== 'SYNCED') throw new Error(`order ${id} is ${o?.status}, expected SYNCED`);
    for (let i = 1; i <= o.seats; i++) if (!refs.includes(externalRef(id, i))) throw new Error(`participant ${i} of order ${id} is missing in Maconomy`);
  }
  if (opts.mailsTo) {
    for (const r of opts.mailsTo.recipients) {
      const n = opts.mailsTo.received(r);
      if (n !== 1) throw new Error(`${r} received ${n} mails, expected exactly 1`);
    }
    const unsent = await em.count(MailMessage, { status: { $ne: 'SENT' }, orderId: { $in: [...opts.confirmed.keys()] } });
    if (unsent) throw new Error(`${unsent} mails of these orders are not SENT`);
  }
}
