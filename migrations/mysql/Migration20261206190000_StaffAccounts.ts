import { Migration } from '@mikro-orm/migrations';

export class Migration20261206190000_StaffAccounts extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table `audit_entry` (`id` int unsigned not null auto_increment primary key, `at` datetime not null, `actor` varchar(320) not null, `entity_type` varchar(50) not null, `entity_id` varchar(64) not null, `field` varchar(200) not null, `old_value` text null, `new_value` text null) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `audit_entry` add index `audit_entry_entity_type_entity_id_at_index` (`entity_type`, `entity_id`, `at`)");
    this.addSql("create table `staff_user` (`id` varchar(36) not null, `email` varchar(320) not null, `role` enum('editor', 'admin') not null, `password_hash` varchar(200) not null, `active` tinyint(1) not null default true, `created_at` datetime not null, `updated_at` datetime not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `staff_user` add unique `staff_user_email_unique` (`email`)");
    this.addSql("create table `staff_session` (`id` varchar(64) not null, `user_id` varchar(36) not null, `created_at` datetime not null, `last_seen_at` datetime not null, `expires_at` datetime not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `staff_session` add index `staff_session_user_id_index` (`user_id`)");
    this.addSql("alter table `staff_session` add index `staff_session_expires_at_index` (`expires_at`)");
    this.addSql("alter table `staff_session` add constraint `staff_session_user_id_foreign` foreign key (`user_id`) references `staff_user` (`id`) on delete cascade");
  }
}
