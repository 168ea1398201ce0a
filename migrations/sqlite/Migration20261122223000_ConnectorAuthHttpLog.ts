import { Migration } from '@mikro-orm/migrations';

export class Migration20261122223000_ConnectorAuthHttpLog extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table `connector_user` (`id` text not null primary key, `email` text not null, `name` text not null, `password_hash` text not null, `active` integer not null default true, `created_at` datetime not null, `updated_at` datetime not null)");
    this.addSql("create unique index `connector_user_email_unique` on `connector_user` (`email`)");
    this.addSql("create table `connector_token` (`id` text not null primary key, `user_id` text not null, `token_hash` text not null, `expires_at` datetime not null, `created_at` datetime not null, constraint `connector_token_user_id_foreign` foreign key (`user_id`) references `connector_user` (`id`) on delete cascade)");
    this.addSql("create index `connector_token_user_id_index` on `connector_token` (`user_id`)");
    this.addSql("create unique index `connector_token_token_hash_unique` on `connector_token` (`token_hash`)");
    this.addSql("create index `connector_token_expires_at_index` on `connector_token` (`expires_at`)");
    this.addSql("create table `http_log` (`id` integer not null primary key autoincrement, `at` datetime not null, `direction` text check (`direction` in ('in', 'out')) not null, `system` text not null, `method` text not null, `url` text not null, `status` integer null, `duration_ms` integer not null, `correlation_id` text null, `actor` text null, `request_headers` text null, `request_body` text null, `response_headers` text null, `response_body` text null, `error` text null)");
    this.addSql("create index `http_log_at_index` on `http_log` (`at`)");
    this.addSql("create index `http_log_correlation_id_index` on `http_log` (`correlation_id`)");
    this.addSql("create index `http_log_system_at_index` on `http_log` (`system`, `at`)");
    this.addSql("create index `http_log_status_at_index` on `http_log` (`status`, `at`)");
  }
}
