import { Migration } from '@mikro-orm/migrations';

export class Migration20261122181930_Initial extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table `main_course` (`id` varchar(36) not null, `maconomy_number` varchar(32) not null, `title` varchar(255) not null, `description` text null, `category` varchar(255) null, `editor_description` text null, `imported_at` datetime not null, `updated_at` datetime not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `main_course` add unique `main_course_maconomy_number_unique` (`maconomy_number`)");
    this.addSql("create table `course_date` (`id` varchar(36) not null, `maconomy_id` varchar(32) not null, `main_course_id` varchar(36) not null, `title` varchar(255) not null, `start_date` varchar(10) not null, `end_date` varchar(10) not null, `location` varchar(255) not null, `price_minor` int not null, `currency` varchar(3) not null, `capacity` int not null, `status` enum('OPEN','CLOSED','CANCELLED') not null default 'OPEN', `maconomy_free_seats` int not null, `maconomy_checked_at` datetime not null, `published` tinyint(1) not null default true, `removed_from_maconomy_at` datetime null, `source_hash` varchar(64) not null, `editor_description` text null, `editor_note` text null, `hold_version` int not null default 0, `imported_at` datetime not null, `updated_at` datetime not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `course_date` add unique `course_date_maconomy_id_unique` (`maconomy_id`)");
    this.addSql("alter table `course_date` add index `course_date_main_course_id_index` (`main_course_id`)");
    this.addSql("alter table `course_date` add index `course_date_start_date_id_index` (`start_date`, `id`)");
    this.addSql("alter table `course_date` add index `course_date_location_index` (`location`)");
    this.addSql("create table `course_day` (`id` varchar(36) not null, `course_date_id` varchar(36) not null, `date` varchar(10) not null, `start_time` varchar(5) null, `end_time` varchar(5) null, `editor_start_time` varchar(5) null, `editor_end_time` varchar(5) null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `course_day` add index `course_day_course_date_id_index` (`course_date_id`)");
    this.addSql("alter table `course_day` add unique `course_day_course_date_id_date_unique` (`course_date_id`, `date`)");
    this.addSql("create table `booking_order` (`id` varchar(36) not null, `course_date_id` varchar(36) not null, `status` enum('RESERVED','PLACED','SYNCED','SYNC_FAILED','EXPIRED','CANCELLED') not null default 'RESERVED', `seats` int not null, `expires_at` datetime null, `token_hash` varchar(64) not null, `client_key` varchar(128) null, `booker_first_name` varchar(100) null, `booker_last_name` varchar(100) null, `booker_email` varchar(320) null, `booker_phone` varchar(40) null, `booker_company` varchar(200) null, `unit_price_minor` int null, `currency` varchar(3) null, `placed_at` datetime null, `synced_at` datetime null, `sync_attempts` int not null default 0, `last_sync_error` text null, `anonymised_at` datetime null, `created_at` datetime not null, `updated_at` datetime not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `booking_order` add index `booking_order_course_date_id_index` (`course_date_id`)");
    this.addSql("alter table `booking_order` add index `booking_order_course_date_id_status_index` (`course_date_id`, `status`)");
    this.addSql("alter table `booking_order` add index `booking_order_status_expires_at_index` (`status`, `expires_at`)");
    this.addSql("create table `participant` (`id` varchar(36) not null, `order_id` varchar(36) not null, `position` int not null, `first_name` varchar(100) not null, `last_name` varchar(100) not null, `email` varchar(320) not null, `phone` varchar(40) null, `company` varchar(200) null, `maconomy_participant_id` varchar(64) null, `synced_at` datetime null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `participant` add index `participant_order_id_index` (`order_id`)");
    this.addSql("alter table `participant` add unique `participant_order_id_position_unique` (`order_id`, `position`)");
    this.addSql("create table `trainer` (`id` varchar(36) not null, `key` varchar(64) not null, `name` varchar(255) not null, `email` varchar(320) null, `title` varchar(255) null, `bio` text null, `created_at` datetime not null, `updated_at` datetime not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `trainer` add unique `trainer_key_unique` (`key`)");
    this.addSql("create table `course_date_trainer` (`course_date_id` varchar(36) not null, `trainer_id` varchar(36) not null, primary key (`course_date_id`, `trainer_id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `course_date_trainer` add index `course_date_trainer_course_date_id_index` (`course_date_id`)");
    this.addSql("alter table `course_date_trainer` add index `course_date_trainer_trainer_id_index` (`trainer_id`)");
    this.addSql("alter table `course_date` add constraint `course_date_main_course_id_foreign` foreign key (`main_course_id`) references `main_course` (`id`)");
    this.addSql("alter table `course_day` add constraint `course_day_course_date_id_foreign` foreign key (`course_date_id`) references `course_date` (`id`) on delete cascade");
    this.addSql("alter table `booking_order` add constraint `booking_order_course_date_id_foreign` foreign key (`course_date_id`) references `course_date` (`id`)");
    this.addSql("alter table `participant` add constraint `participant_order_id_foreign` foreign key (`order_id`) references `booking_order` (`id`) on delete cascade");
    this.addSql("alter table `course_date_trainer` add constraint `course_date_trainer_course_date_id_foreign` foreign key (`course_date_id`) references `course_date` (`id`) on update cascade on delete cascade");
    this.addSql("alter table `course_date_trainer` add constraint `course_date_trainer_trainer_id_foreign` foreign key (`trainer_id`) references `trainer` (`id`) on update cascade on delete cascade");
  }
}
