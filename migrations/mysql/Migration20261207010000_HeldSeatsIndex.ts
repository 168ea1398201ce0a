import { Migration } from '@mikro-orm/migrations';

// The seats held on a course date, summed by every seat hold and every shown count (src/booking/
// seats.ts), read from the index alone instead of each of the date's order rows as well.
export class Migration20261207010000_HeldSeatsIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table `booking_order` drop index `booking_order_course_date_id_status_index`, add index `booking_order_held_seats_index`(`course_date_id`, `status`, `expires_at`, `seats`, `synced_seats`, `synced_seq`)');
  }
}
