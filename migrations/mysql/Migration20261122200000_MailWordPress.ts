import { Migration } from '@mikro-orm/migrations';

export class Migration20261122200000_MailWordPress extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table `mail_outbox` (`id` varchar(36) not null, `key` varchar(200) not null, `kind` varchar(50) not null, `order_id` varchar(36) null, `recipient` varchar(320) not null, `subject` varchar(500) not null, `html` text not null, `text` text not null, `attachments` json null, `status` enum('QUEUED','SENDING','SENT','RETRYING','FAILED') not null default 'QUEUED', `attempts` int not null default 0, `last_error` text null, `next_attempt_at` datetime not null, `claimed_at` datetime null, `sent_at` datetime null, `message_id` varchar(255) null, `created_at` datetime not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `mail_outbox` add unique `mail_outbox_key_unique` (`key`)");
    this.addSql("alter table `mail_outbox` add index `mail_outbox_order_id_index` (`order_id`)");
    this.addSql("alter table `mail_outbox` add index `mail_outbox_status_next_attempt_at_index` (`status`, `next_attempt_at`)");
    this.addSql("create table `wordpress_post` (`id` varchar(36) not null, `course_date_id` varchar(36) not null, `post_id` int null, `pushed_hash` varchar(64) null, `pushed_at` datetime null, `create_started_at` datetime null, `slug` varchar(200) null, `last_error` text null, `attempts` int not null default 0, `created_at` datetime not null, `updated_at` datetime not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `wordpress_post` add index `wordpress_post_course_date_id_index` (`course_date_id`)");
    this.addSql("alter table `wordpress_post` add unique `wordpress_post_course_date_id_unique` (`course_date_id`)");
    this.addSql("alter table `wordpress_post` add constraint `wordpress_post_course_date_id_foreign` foreign key (`course_date_id`) references `course_date` (`id`) on delete cascade");
  }
}
