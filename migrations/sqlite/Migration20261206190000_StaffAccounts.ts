import { Migration } from '@mikro-orm/migrations';

export class Migration20261206190000_StaffAccounts extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table `audit_entry` (`id` integer not null primary key autoincrement, `at` datetime not null, `actor` text not null, `entity_type` text not null, `entity_id` text not null, `field` text not null, `old_value` text null, `new_value` text null)");
    this.addSql("create index `audit_entry_entity_type_entity_id_at_index` on `audit_entry` (`entity_type`, `entity_id`, `at`)");
    this.addSql("create table `staff_user` (`id` text not null primary key, `email` text not null, `role` text check (`role` in ('editor', 'admin')) not null, `password_hash` text not null, `active` integer not null default true, `created_at` datetime not null, `updated_at` datetime not null)");
    this.addSql("create unique index `staff_user_email_unique` on `staff_user` (`email`)");
    this.addSql("create table `staff_session` (`id` text not null primary key, `user_id` text not null, `created_at` datetime not null, `last_seen_at` datetime not null, `expires_at` datetime not null, constraint `staff_session_user_id_foreign` foreign key (`user_id`) references `staff_user` (`id`) on delete cascade)");
    this.addSql("create index `staff_session_user_id_index` on `staff_session` (`user_id`)");
    this.addSql("create index `staff_session_expires_at_index` on `staff_session` (`expires_at`)");
  }
}
