import { Migration } from '@mikro-orm/migrations';

// The seats held on a course date, summed by every seat hold and every shown count (src/booking/
// seats.ts), read from the index alone: (course_date_id, status) made SQLite read each of the
// date's order rows as well, half of a hold's work at ~130 orders per date.
export class Migration20261207010000_HeldSeatsIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql('drop index `booking_order_course_date_id_status_index`');
    this.addSql('create index `booking_order_held_seats_index` on `booking_order` (`course_date_id`, `status`, `expires_at`, `seats`, `synced_seats`, `synced_seq`)');
  }
}
