import { Migration } from '@mikro-orm/migrations';

// The catalogue's change counter (src/catalog/entities.ts CatalogVersion), with its one row.
export class Migration20261206220000_CatalogVersion extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table `catalog_version` (`id` integer not null primary key, `version` integer not null default 0)");
    this.addSql('insert into `catalog_version` (`id`, `version`) values (1, 0)');
  }
}
