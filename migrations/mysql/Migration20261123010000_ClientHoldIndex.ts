import { Migration } from '@mikro-orm/migrations';

export class Migration20261123010000_ClientHoldIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql("alter table `booking_order` add index `booking_order_client_key_status_expires_at_index` (`client_key`, `status`, `expires_at`)");
  }
}
