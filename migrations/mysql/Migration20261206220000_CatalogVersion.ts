import { Migration } from '@mikro-orm/migrations';

// The catalogue's change counter (src/catalog/entities.ts CatalogVersion), with its one row.
export class Migration20261206220000_CatalogVersion extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table `catalog_version` (`id` int unsigned not null, `version` int not null default 0, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql('insert into `catalog_version` (`id`, `version`) values (1, 0)');
  }
}
