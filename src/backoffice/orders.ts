// Operators' searches: orders with their sync state and participants, and the connector log.
import type { Em } from '../db/orm.js';
import { badInput } from '../errors.js';
import { isPlainText } from '../connectors/http.js';
import { ORDER_STATUSES, Order, Participant } from '../booking/entities.js';
import { CourseDate } from '../catalog/entities.js';
import { HttpLogEntry } from '../connectors/http-log/entities.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// % and _ in a search act as wildcards: harmless in a staff search, and LIKE escapes differ between SQLite and MySQL.
const likeOf = (s: string) => `%${s}%`;

export async function searchOrders(em: Em, q: { search?: string | null; courseDate?: string | null; status?: string | null }, page: { first: number; offset: number }) {
  const where: Record<string, unknown> = { status: { $ne: 'RESERVED' } };
  if (q.status) {
    if (!(ORDER_STATUSES as readonly string[]).includes(q.status)) throw badInput(`status must be one of ${ORDER_STATUSES.join(', ')}`, 'status');
    where.status = q.status;
  }
  const s = q.search?.trim();
  if (s) {
    if (s.length > 320 || !isPlainText(s)) throw badInput('search must be at most 320 characters of plain text', 'search');
    where.$or = UUID.test(s) ? [{ id: s.toLowerCase() }] : [{ bookerEmail: { $like: likeOf(s.toLowerCase()) } }];
  }
  if (q.courseDate) {
    const c = q.courseDate.trim();
    if (c.length > 64 || !isPlainText(c)) throw badInput('courseDate must be a course date id or a Maconomy id', 'courseDate');
    const cd = await em.findOne(CourseDate, UUID.test(c) ? { id: c } : { maconomyId: c });
    if (!cd) return { totalCount: 0, items: [] };
    where.courseDate = cd.id;
  }
  const [orders, totalCount] = await em.findAndCount(Order, where as never, { orderBy: { createdAt: 'desc', id: 'asc' }, limit: page.first, offset: page.offset, populate: ['courseDate'] });
  const participants = orders.length ? await em.find(Participant, { order: { $in: orders.map((o) => o.id) } }, { orderBy: { position: 'asc' } }) : [];
  return {
    totalCount,
    items: orders.map((o) => {
      const cd = o.courseDate as unknown as { id: string; maconomyId: string; title: string };
      return {
        id: o.id,
        status: o.status,
        seats: o.seats,
        bookerName: o.bookerFirstName ? `${o.bookerFirstName} ${o.bookerLastName ?? ''}`.trim() : null,
        bookerEmail: o.bookerEmail ?? null,
        bookerCompany: o.bookerCompany ?? null,
        courseDateId: cd.id,
        courseDateMaconomyId: cd.maconomyId,
        courseDateTitle: cd.title,
        createdAt: o.createdAt,
        placedAt: o.placedAt ?? null,
        syncedAt: o.syncedAt ?? null,
        syncAttempts: o.syncAttempts,
        lastSyncError: o.lastSyncError ?? null,
        participants: participants
          .filter((p) => p.order.id === o.id)
          .map((p) => ({ position: p.position, firstName: p.firstName, lastName: p.lastName, email: p.email, maconomyParticipantId: p.maconomyParticipantId ?? null, syncedAt: p.syncedAt ?? null })),
      };
    }),
  };
}

export async function searchConnectorLog(em: Em, q: { system?: string | null; status?: string | null; from?: Date | null; to?: Date | null; before?: number | null }, first: number) {
  const where: Record<string, unknown> = {};
  if (q.system) {
    if (q.system.length > 50 || !isPlainText(q.system)) throw badInput('system is not a system name', 'system');
    where.system = q.system;
  }
  const st = q.status?.trim();
  if (st) {
    if (/^\d{3}$/.test(st)) where.status = Number(st);
    else if (/^[1-5]xx$/.test(st)) where.status = { $gte: Number(st[0]) * 100, $lt: Number(st[0]) * 100 + 100 };
    else if (st === 'error') where.status = null;
    else throw badInput('status must be a status such as 200, a class such as 4xx, or error', 'status');
  }
  const at: Record<string, Date> = {};
  if (q.from) at.$gte = q.from;
  if (q.to) at.$lte = q.to;
  if (Object.keys(at).length) where.at = at;
  if (q.before != null) where.id = { $lt: q.before };
  return em.find(HttpLogEntry, where as never, { orderBy: { id: 'desc' }, limit: first });
}
