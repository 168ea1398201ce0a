import { Migration } from '@mikro-orm/migrations';

export class Migration20261206193000_ErpTruth extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table `seat_drift` (`id` varchar(36) not null, `course_date_id` varchar(36) not null, `kind` enum('OVERCOMMITTED','UNEXPLAINED_CHANGE') not null, `maconomy_free_seats` int not null, `held_here` int not null, `expected_free_seats` int null, `first_seen_at` datetime not null, `last_seen_at` datetime not null, `resolved_at` datetime null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `seat_drift` add index `seat_drift_course_date_id_index` (`course_date_id`)");
    this.addSql("alter table `seat_drift` add index `seat_drift_course_date_id_kind_resolved_at_index` (`course_date_id`, `kind`, `resolved_at`)");
    this.addSql("alter table `seat_drift` add index `seat_drift_resolved_at_index` (`resolved_at`)");
    this.addSql("alter table `course_date` add `maconomy_free_seq` int not null default 0, add `sync_seq` int not null default 0");
    this.addSql("alter table `booking_order` add `synced_seq` int null, add `synced_seats` int null");
    this.addSql("alter table `booking_order` modify `status` enum('RESERVED','PLACED','SYNCED','PARTIALLY_SYNCED','SYNC_FAILED','EXPIRED','CANCELLED') not null default 'RESERVED'");
    this.addSql("alter table `participant` add `maconomy_state` enum('PENDING','ACCEPTED','REFUSED') not null default 'PENDING', add `refusal_reason` varchar(200) null");
    this.addSql("update `participant` set `maconomy_state` = 'ACCEPTED' where `maconomy_participant_id` is not null");
    this.addSql("alter table `seat_drift` add constraint `seat_drift_course_date_id_foreign` foreign key (`course_date_id`) references `course_date` (`id`)");
  }
}
