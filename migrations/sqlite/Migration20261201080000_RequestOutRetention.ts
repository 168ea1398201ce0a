import { Migration } from '@mikro-orm/migrations';

export class Migration20261201080000_RequestOutRetention extends Migration {
  override async up(): Promise<void> {
    this.addSql("alter table `request_out_ticket` add column `data_erased_at` datetime null");
    this.addSql("alter table `request_out_ticket` add column `requeues` integer not null default 0");
  }
}
