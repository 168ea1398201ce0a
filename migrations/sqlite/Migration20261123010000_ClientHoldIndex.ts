import { Migration } from '@mikro-orm/migrations';

export class Migration20261123010000_ClientHoldIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql("create index `booking_order_client_key_status_expires_at_index` on `booking_order` (`client_key`, `status`, `expires_at`)");
  }
}
