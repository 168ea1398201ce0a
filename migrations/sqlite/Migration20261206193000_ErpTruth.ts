import { Migration } from '@mikro-orm/migrations';

export class Migration20261206193000_ErpTruth extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table `seat_drift` (`id` text not null primary key, `course_date_id` text not null, `kind` text check (`kind` in ('OVERCOMMITTED', 'UNEXPLAINED_CHANGE')) not null, `maconomy_free_seats` integer not null, `held_here` integer not null, `expected_free_seats` integer null, `first_seen_at` datetime not null, `last_seen_at` datetime not null, `resolved_at` datetime null, constraint `seat_drift_course_date_id_foreign` foreign key (`course_date_id`) references `course_date` (`id`))");
    this.addSql("create index `seat_drift_course_date_id_index` on `seat_drift` (`course_date_id`)");
    this.addSql("create index `seat_drift_course_date_id_kind_resolved_at_index` on `seat_drift` (`course_date_id`, `kind`, `resolved_at`)");
    this.addSql("create index `seat_drift_resolved_at_index` on `seat_drift` (`resolved_at`)");
    this.addSql("alter table `course_date` add column `maconomy_free_seq` integer not null default 0");
    this.addSql("alter table `course_date` add column `sync_seq` integer not null default 0");
    this.addSql("pragma foreign_keys = off");
    this.addSql("create table `booking_order__temp_alter` (`id` text not null primary key, `course_date_id` text not null, `status` text check (`status` in ('RESERVED', 'PLACED', 'SYNCED', 'PARTIALLY_SYNCED', 'SYNC_FAILED', 'EXPIRED', 'CANCELLED')) not null default 'RESERVED', `seats` integer not null, `expires_at` datetime null, `token_hash` text not null, `client_key` text null, `booker_first_name` text null, `booker_last_name` text null, `booker_email` text null, `booker_phone` text null, `booker_company` text null, `unit_price_minor` integer null, `currency` text null, `placed_at` datetime null, `synced_at` datetime null, `synced_seq` integer null, `synced_seats` integer null, `sync_attempts` integer not null default 0, `last_sync_error` text null, `anonymised_at` datetime null, `created_at` datetime not null, `updated_at` datetime not null, constraint `booking_order_course_date_id_foreign` foreign key (`course_date_id`) references `course_date` (`id`))");
    this.addSql("insert into `booking_order__temp_alter` select `id`, `course_date_id`, `status`, `seats`, `expires_at`, `token_hash`, `client_key`, `booker_first_name`, `booker_last_name`, `booker_email`, `booker_phone`, `booker_company`, `unit_price_minor`, `currency`, `placed_at`, `synced_at`, null as `synced_seq`, null as `synced_seats`, `sync_attempts`, `last_sync_error`, `anonymised_at`, `created_at`, `updated_at` from `booking_order`");
    this.addSql("drop table `booking_order`");
    this.addSql("alter table `booking_order__temp_alter` rename to `booking_order`");
    this.addSql("create index `booking_order_course_date_id_index` on `booking_order` (`course_date_id`)");
    this.addSql("create index `booking_order_course_date_id_status_index` on `booking_order` (`course_date_id`, `status`)");
    this.addSql("create index `booking_order_status_expires_at_index` on `booking_order` (`status`, `expires_at`)");
    this.addSql("create index `booking_order_client_key_status_expires_at_index` on `booking_order` (`client_key`, `status`, `expires_at`)");
    this.addSql("pragma foreign_keys = on");
    this.addSql("pragma foreign_keys = off");
    this.addSql("create table `participant__temp_alter` (`id` text not null primary key, `order_id` text not null, `position` integer not null, `first_name` text not null, `last_name` text not null, `email` text not null, `phone` text null, `company` text null, `maconomy_participant_id` text null, `synced_at` datetime null, `maconomy_state` text check (`maconomy_state` in ('PENDING', 'ACCEPTED', 'REFUSED')) not null default 'PENDING', `refusal_reason` text null, constraint `participant_order_id_foreign` foreign key (`order_id`) references `booking_order` (`id`) on delete cascade)");
    this.addSql("insert into `participant__temp_alter` select `id`, `order_id`, `position`, `first_name`, `last_name`, `email`, `phone`, `company`, `maconomy_participant_id`, `synced_at`, case when `maconomy_participant_id` is not null then 'ACCEPTED' else 'PENDING' end as `maconomy_state`, null as `refusal_reason` from `participant`");
    this.addSql("drop table `participant`");
    this.addSql("alter table `participant__temp_alter` rename to `participant`");
    this.addSql("create index `participant_order_id_index` on `participant` (`order_id`)");
    this.addSql("create unique index `participant_order_id_position_unique` on `participant` (`order_id`, `position`)");
    this.addSql("pragma foreign_keys = on");
  }
}
