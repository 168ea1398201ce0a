import { Migration } from '@mikro-orm/migrations';

export class Migration20261122233000_CommerceConnectors extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table `bridge_cursor` (`name` text not null primary key, `value` bigint not null, `updated_at` datetime not null)");
    this.addSql("create table `bridge_order` (`id` text not null primary key, `baselinker_order_id` bigint not null, `date_confirmed` bigint not null, `status` text check (`status` in ('PENDING', 'CREATED', 'FAILED')) not null default 'PENDING', `optimakers_order_id` integer null, `reason` text null, `attempts` integer not null default 0, `create_started_at` datetime null, `imported_at` datetime null, `realised_at` datetime null, `status_sent_at` datetime null, `status_error` text null, `created_at` datetime not null, `updated_at` datetime not null)");
    this.addSql("create unique index `bridge_order_baselinker_order_id_unique` on `bridge_order` (`baselinker_order_id`)");
    this.addSql("create unique index `bridge_order_optimakers_order_id_unique` on `bridge_order` (`optimakers_order_id`)");
    this.addSql("create index `bridge_order_status_index` on `bridge_order` (`status`)");
    this.addSql("create table `commerce_job_run` (`id` text not null primary key, `job` text not null, `started_at` datetime not null, `finished_at` datetime null, `status` text check (`status` in ('RUNNING', 'OK', 'PARTIAL', 'FAILED')) not null default 'RUNNING', `counts` json null, `error` text null)");
    this.addSql("create index `commerce_job_run_job_started_at_index` on `commerce_job_run` (`job`, `started_at`)");
    this.addSql("create table `jubelio_product` (`id` text not null primary key, `sku` text not null, `name` text not null, `data` json not null, `content_hash` text not null, `pushed_hash` text null, `status` text check (`status` in ('pending', 'pushed', 'failed')) not null default 'pending', `item_group_id` integer null, `item_id` integer null, `create_started_at` datetime null, `attempts` integer not null default 0, `last_error` text null, `staged_at` datetime not null, `pushed_at` datetime null, `updated_at` datetime not null)");
    this.addSql("create unique index `jubelio_product_sku_unique` on `jubelio_product` (`sku`)");
    this.addSql("create index `jubelio_product_status_updated_at_index` on `jubelio_product` (`status`, `updated_at`)");
    this.addSql("create table `jubelio_sales_order` (`id` text not null primary key, `salesorder_id` bigint not null, `salesorder_no` text not null, `status` text not null, `content_hash` text not null, `version` integer not null default 1, `payload` json not null, `needs_fetch` integer not null default false, `fetch_attempts` integer not null default 0, `fetch_error` text null, `fetched_at` datetime null, `first_received_at` datetime not null, `changed_at` datetime not null, `acked_version` integer not null default 0, `acked_at` datetime null)");
    this.addSql("create unique index `jubelio_sales_order_salesorder_id_unique` on `jubelio_sales_order` (`salesorder_id`)");
    this.addSql("create index `jubelio_sales_order_changed_at_index` on `jubelio_sales_order` (`changed_at`)");
    this.addSql("create index `jubelio_sales_order_status_index` on `jubelio_sales_order` (`status`)");
    this.addSql("create table `jubelio_sales_order_event` (`id` text not null primary key, `sales_order_id` text not null, `version` integer not null, `status` text not null, `content_hash` text not null, `payload` json not null, `received_at` datetime not null, constraint `jubelio_sales_order_event_sales_order_id_foreign` foreign key (`sales_order_id`) references `jubelio_sales_order` (`id`) on delete cascade)");
    this.addSql("create index `jubelio_sales_order_event_sales_order_id_index` on `jubelio_sales_order_event` (`sales_order_id`)");
    this.addSql("create unique index `jubelio_sales_order_event_sales_order_id_content_hash_unique` on `jubelio_sales_order_event` (`sales_order_id`, `content_hash`)");
    this.addSql("create table `optimakers_product_change` (`id` text not null primary key, `product_id` integer not null, `event` text not null, `version` integer not null default 1, `payload` json null, `changed_at` datetime not null, `acked_version` integer not null default 0, `acked_at` datetime null)");
    this.addSql("create unique index `optimakers_product_change_product_id_unique` on `optimakers_product_change` (`product_id`)");
    this.addSql("create index `optimakers_product_change_changed_at_index` on `optimakers_product_change` (`changed_at`)");
    this.addSql("create table `commerce_webhook_delivery` (`id` text not null primary key, `provider` text not null, `delivery_key` text not null, `event` text not null, `body` text null, `status` text check (`status` in ('RECEIVED', 'DONE', 'FAILED', 'IGNORED')) not null default 'RECEIVED', `attempts` integer not null default 0, `last_error` text null, `next_attempt_at` datetime not null, `claimed_at` datetime null, `duplicates` integer not null default 0, `received_at` datetime not null, `processed_at` datetime null)");
    this.addSql("create index `commerce_webhook_delivery_provider_status_next_attempt_at_index` on `commerce_webhook_delivery` (`provider`, `status`, `next_attempt_at`)");
    this.addSql("create unique index `commerce_webhook_delivery_provider_delivery_key_unique` on `commerce_webhook_delivery` (`provider`, `delivery_key`)");
  }
}
