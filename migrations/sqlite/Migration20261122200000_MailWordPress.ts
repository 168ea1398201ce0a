import { Migration } from '@mikro-orm/migrations';

export class Migration20261122200000_MailWordPress extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table `mail_outbox` (`id` text not null primary key, `key` text not null, `kind` text not null, `order_id` text null, `recipient` text not null, `subject` text not null, `html` text not null, `text` text not null, `attachments` json null, `status` text check (`status` in ('QUEUED', 'SENDING', 'SENT', 'RETRYING', 'FAILED')) not null default 'QUEUED', `attempts` integer not null default 0, `last_error` text null, `next_attempt_at` datetime not null, `claimed_at` datetime null, `sent_at` datetime null, `message_id` text null, `created_at` datetime not null)");
    this.addSql("create unique index `mail_outbox_key_unique` on `mail_outbox` (`key`)");
    this.addSql("create index `mail_outbox_order_id_index` on `mail_outbox` (`order_id`)");
    this.addSql("create index `mail_outbox_status_next_attempt_at_index` on `mail_outbox` (`status`, `next_attempt_at`)");
    this.addSql("create table `wordpress_post` (`id` text not null primary key, `course_date_id` text not null, `post_id` integer null, `pushed_hash` text null, `pushed_at` datetime null, `create_started_at` datetime null, `slug` text null, `last_error` text null, `attempts` integer not null default 0, `created_at` datetime not null, `updated_at` datetime not null, constraint `wordpress_post_course_date_id_foreign` foreign key (`course_date_id`) references `course_date` (`id`) on delete cascade)");
    this.addSql("create index `wordpress_post_course_date_id_index` on `wordpress_post` (`course_date_id`)");
    this.addSql("create unique index `wordpress_post_course_date_id_unique` on `wordpress_post` (`course_date_id`)");
  }
}
