import { Migration } from '@mikro-orm/migrations';

export class Migration20261122181930_Initial extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table `main_course` (`id` text not null primary key, `maconomy_number` text not null, `title` text not null, `description` text null, `category` text null, `editor_description` text null, `imported_at` datetime not null, `updated_at` datetime not null)");
    this.addSql("create unique index `main_course_maconomy_number_unique` on `main_course` (`maconomy_number`)");
    this.addSql("create table `course_date` (`id` text not null primary key, `maconomy_id` text not null, `main_course_id` text not null, `title` text not null, `start_date` text not null, `end_date` text not null, `location` text not null, `price_minor` integer not null, `currency` text not null, `capacity` integer not null, `status` text check (`status` in ('OPEN', 'CLOSED', 'CANCELLED')) not null default 'OPEN', `maconomy_free_seats` integer not null, `maconomy_checked_at` datetime not null, `published` integer not null default true, `removed_from_maconomy_at` datetime null, `source_hash` text not null, `editor_description` text null, `editor_note` text null, `hold_version` integer not null default 0, `imported_at` datetime not null, `updated_at` datetime not null, constraint `course_date_main_course_id_foreign` foreign key (`main_course_id`) references `main_course` (`id`))");
    this.addSql("create unique index `course_date_maconomy_id_unique` on `course_date` (`maconomy_id`)");
    this.addSql("create index `course_date_main_course_id_index` on `course_date` (`main_course_id`)");
    this.addSql("create index `course_date_start_date_id_index` on `course_date` (`start_date`, `id`)");
    this.addSql("create index `course_date_location_index` on `course_date` (`location`)");
    this.addSql("create table `course_day` (`id` text not null primary key, `course_date_id` text not null, `date` text not null, `start_time` text null, `end_time` text null, `editor_start_time` text null, `editor_end_time` text null, constraint `course_day_course_date_id_foreign` foreign key (`course_date_id`) references `course_date` (`id`) on delete cascade)");
    this.addSql("create index `course_day_course_date_id_index` on `course_day` (`course_date_id`)");
    this.addSql("create unique index `course_day_course_date_id_date_unique` on `course_day` (`course_date_id`, `date`)");
    this.addSql("create table `booking_order` (`id` text not null primary key, `course_date_id` text not null, `status` text check (`status` in ('RESERVED', 'PLACED', 'SYNCED', 'SYNC_FAILED', 'EXPIRED', 'CANCELLED')) not null default 'RESERVED', `seats` integer not null, `expires_at` datetime null, `token_hash` text not null, `client_key` text null, `booker_first_name` text null, `booker_last_name` text null, `booker_email` text null, `booker_phone` text null, `booker_company` text null, `unit_price_minor` integer null, `currency` text null, `placed_at` datetime null, `synced_at` datetime null, `sync_attempts` integer not null default 0, `last_sync_error` text null, `anonymised_at` datetime null, `created_at` datetime not null, `updated_at` datetime not null, constraint `booking_order_course_date_id_foreign` foreign key (`course_date_id`) references `course_date` (`id`))");
    this.addSql("create index `booking_order_course_date_id_index` on `booking_order` (`course_date_id`)");
    this.addSql("create index `booking_order_course_date_id_status_index` on `booking_order` (`course_date_id`, `status`)");
    this.addSql("create index `booking_order_status_expires_at_index` on `booking_order` (`status`, `expires_at`)");
    this.addSql("create table `participant` (`id` text not null primary key, `order_id` text not null, `position` integer not null, `first_name` text not null, `last_name` text not null, `email` text not null, `phone` text null, `company` text null, `maconomy_participant_id` text null, `synced_at` datetime null, constraint `participant_order_id_foreign` foreign key (`order_id`) references `booking_order` (`id`) on delete cascade)");
    this.addSql("create index `participant_order_id_index` on `participant` (`order_id`)");
    this.addSql("create unique index `participant_order_id_position_unique` on `participant` (`order_id`, `position`)");
    this.addSql("create table `trainer` (`id` text not null primary key, `key` text not null, `name` text not null, `email` text null, `title` text null, `bio` text null, `created_at` datetime not null, `updated_at` datetime not null)");
    this.addSql("create unique index `trainer_key_unique` on `trainer` (`key`)");
    this.addSql("create table `course_date_trainer` (`course_date_id` text not null, `trainer_id` text not null, primary key (`course_date_id`, `trainer_id`), constraint `course_date_trainer_course_date_id_foreign` foreign key (`course_date_id`) references `course_date` (`id`) on update cascade on delete cascade, constraint `course_date_trainer_trainer_id_foreign` foreign key (`trainer_id`) references `trainer` (`id`) on update cascade on delete cascade)");
    this.addSql("create index `course_date_trainer_course_date_id_index` on `course_date_trainer` (`course_date_id`)");
    this.addSql("create index `course_date_trainer_trainer_id_index` on `course_date_trainer` (`trainer_id`)");
  }
}
