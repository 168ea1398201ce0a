// The catalogue's version (catalog_version): incremented by every write of catalogue data, so
// each process's copy of the catalogue in memory (src/catalog/catalogue-memory.ts) knows when it
// is out of date. Kept apart from that module: the ORM set-up (src/db/orm.ts) registers the
// subscriber, and the copy reads through the ORM.
//
// A write of catalogue columns that bypasses the unit of work (nativeUpdate, raw SQL) must call
// bumpCatalogVersion itself, in its transaction: the import's bulk unpublish does.
import { wrap, type EntityManager, type EventSubscriber, type FlushEventArgs } from '@mikro-orm/core';

/** Columns of course_date that are seat accounting (or bookkeeping), not catalogue: writing only these does not change the catalogue. */
const NOT_CATALOGUE = new Set(['maconomyFreeSeats', 'maconomyCheckedAt', 'maconomyFreeSeq', 'syncSeq', 'holdVersion', 'updatedAt']);
const CATALOGUE_ENTITIES = new Set(['CourseDate', 'CourseDay', 'Trainer', 'MainCourse']);

export async function bumpCatalogVersion(em: EntityManager): Promise<void> {
  await em.getConnection().execute('update catalog_version set version = version + 1 where id = 1', [], 'run', em.getTransactionContext());
}

/** Did this flush write catalogue data (not only seat columns)? */
function catalogueChanged({ uow }: FlushEventArgs): boolean {
  for (const cs of uow.getChangeSets()) {
    if (!CATALOGUE_ENTITIES.has(cs.meta.className)) continue;
    if (cs.meta.className !== 'CourseDate' || cs.type !== 'update') return true;
    if (Object.keys(cs.payload).some((prop) => !NOT_CATALOGUE.has(prop))) return true;
  }
  // Course dates' trainers (the pivot table): a collection owned by a catalogue entity.
  return uow.getCollectionUpdates().some((c) => CATALOGUE_ENTITIES.has(wrap(c.owner, true).__meta.className));
}

/**
 * Increments the catalogue's version after any flush that wrote catalogue entities. Inside a
 * transaction (em.transactional) it is part of it; after an implicit one it follows its commit,
 * so a process that reads the new version also reads the new data.
 */
export class CatalogueChanges implements EventSubscriber {
  async afterFlush(args: FlushEventArgs): Promise<void> {
    if (catalogueChanged(args)) await bumpCatalogVersion(args.em);
  }
}
