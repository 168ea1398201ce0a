import { Migration } from '@mikro-orm/migrations';

export class Migration20261122223000_ConnectorAuthHttpLog extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table `connector_user` (`id` varchar(36) not null, `email` varchar(320) not null, `name` varchar(200) not null, `password_hash` varchar(200) not null, `active` tinyint(1) not null default true, `created_at` datetime not null, `updated_at` datetime not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `connector_user` add unique `connector_user_email_unique` (`email`)");
    this.addSql("create table `connector_token` (`id` varchar(36) not null, `user_id` varchar(36) not null, `token_hash` varchar(64) not null, `expires_at` datetime not null, `created_at` datetime not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `connector_token` add index `connector_token_user_id_index` (`user_id`)");
    this.addSql("alter table `connector_token` add unique `connector_token_token_hash_unique` (`token_hash`)");
    this.addSql("alter table `connector_token` add index `connector_token_expires_at_index` (`expires_at`)");
    this.addSql("create table `http_log` (`id` int unsigned not null auto_increment primary key, `at` datetime(3) not null, `direction` enum('in','out') not null, `system` varchar(50) not null, `method` varchar(10) not null, `url` varchar(2000) not null, `status` int null, `duration_ms` int not null, `correlation_id` varchar(100) null, `actor` varchar(64) null, `request_headers` text null, `request_body` text null, `response_headers` text null, `response_body` text null, `error` varchar(500) null) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `http_log` add index `http_log_at_index` (`at`)");
    this.addSql("alter table `http_log` add index `http_log_correlation_id_index` (`correlation_id`)");
    this.addSql("alter table `http_log` add index `http_log_system_at_index` (`system`, `at`)");
    this.addSql("alter table `http_log` add index `http_log_status_at_index` (`status`, `at`)");
    this.addSql("alter table `connector_token` add constraint `connector_token_user_id_foreign` foreign key (`user_id`) references `connector_user` (`id`) on delete cascade");
  }
}
