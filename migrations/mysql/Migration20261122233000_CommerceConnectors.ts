import { Migration } from '@mikro-orm/migrations';

export class Migration20261122233000_CommerceConnectors extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table `bridge_cursor` (`name` varchar(50) not null, `value` bigint not null, `updated_at` datetime not null, primary key (`name`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("create table `bridge_order` (`id` varchar(36) not null, `baselinker_order_id` bigint not null, `date_confirmed` bigint not null, `status` enum('PENDING','CREATED','FAILED') not null default 'PENDING', `optimakers_order_id` int null, `reason` text null, `attempts` int not null default 0, `create_started_at` datetime null, `imported_at` datetime null, `realised_at` datetime null, `status_sent_at` datetime null, `status_error` text null, `created_at` datetime not null, `updated_at` datetime not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `bridge_order` add unique `bridge_order_baselinker_order_id_unique` (`baselinker_order_id`)");
    this.addSql("alter table `bridge_order` add unique `bridge_order_optimakers_order_id_unique` (`optimakers_order_id`)");
    this.addSql("alter table `bridge_order` add index `bridge_order_status_index` (`status`)");
    this.addSql("create table `commerce_job_run` (`id` varchar(36) not null, `job` varchar(100) not null, `started_at` datetime not null, `finished_at` datetime null, `status` enum('RUNNING','OK','PARTIAL','FAILED') not null default 'RUNNING', `counts` json null, `error` text null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `commerce_job_run` add index `commerce_job_run_job_started_at_index` (`job`, `started_at`)");
    this.addSql("create table `jubelio_product` (`id` varchar(36) not null, `sku` varchar(100) not null, `name` varchar(255) not null, `data` json not null, `content_hash` varchar(64) not null, `pushed_hash` varchar(64) null, `status` enum('pending','pushed','failed') not null default 'pending', `item_group_id` int null, `item_id` int null, `create_started_at` datetime null, `attempts` int not null default 0, `last_error` text null, `staged_at` datetime not null, `pushed_at` datetime null, `updated_at` datetime not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `jubelio_product` add unique `jubelio_product_sku_unique` (`sku`)");
    this.addSql("alter table `jubelio_product` add index `jubelio_product_status_updated_at_index` (`status`, `updated_at`)");
    this.addSql("create table `jubelio_sales_order` (`id` varchar(36) not null, `salesorder_id` bigint not null, `salesorder_no` varchar(100) not null, `status` varchar(50) not null, `content_hash` varchar(64) not null, `version` int not null default 1, `payload` json not null, `needs_fetch` tinyint(1) not null default false, `fetch_attempts` int not null default 0, `fetch_error` text null, `fetched_at` datetime null, `first_received_at` datetime not null, `changed_at` datetime not null, `acked_version` int not null default 0, `acked_at` datetime null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `jubelio_sales_order` add unique `jubelio_sales_order_salesorder_id_unique` (`salesorder_id`)");
    this.addSql("alter table `jubelio_sales_order` add index `jubelio_sales_order_changed_at_index` (`changed_at`)");
    this.addSql("alter table `jubelio_sales_order` add index `jubelio_sales_order_status_index` (`status`)");
    this.addSql("create table `jubelio_sales_order_event` (`id` varchar(36) not null, `sales_order_id` varchar(36) not null, `version` int not null, `status` varchar(50) not null, `content_hash` varchar(64) not null, `payload` json not null, `received_at` datetime not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `jubelio_sales_order_event` add index `jubelio_sales_order_event_sales_order_id_index` (`sales_order_id`)");
    this.addSql("alter table `jubelio_sales_order_event` add unique `jubelio_sales_order_event_sales_order_id_content_hash_unique` (`sales_order_id`, `content_hash`)");
    this.addSql("create table `optimakers_product_change` (`id` varchar(36) not null, `product_id` int not null, `event` varchar(20) not null, `version` int not null default 1, `payload` json null, `changed_at` datetime not null, `acked_version` int not null default 0, `acked_at` datetime null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `optimakers_product_change` add unique `optimakers_product_change_product_id_unique` (`product_id`)");
    this.addSql("alter table `optimakers_product_change` add index `optimakers_product_change_changed_at_index` (`changed_at`)");
    this.addSql("create table `commerce_webhook_delivery` (`id` varchar(36) not null, `provider` varchar(20) not null, `delivery_key` varchar(128) not null, `event` varchar(100) not null, `body` text null, `status` enum('RECEIVED','DONE','FAILED','IGNORED') not null default 'RECEIVED', `attempts` int not null default 0, `last_error` text null, `next_attempt_at` datetime not null, `claimed_at` datetime null, `duplicates` int not null default 0, `received_at` datetime not null, `processed_at` datetime null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `commerce_webhook_delivery` add index `commerce_webhook_delivery_provider_status_next_attempt_at_index` (`provider`, `status`, `next_attempt_at`)");
    this.addSql("alter table `commerce_webhook_delivery` add unique `commerce_webhook_delivery_provider_delivery_key_unique` (`provider`, `delivery_key`)");
    this.addSql("alter table `jubelio_sales_order_event` add constraint `jubelio_sales_order_event_sales_order_id_foreign` foreign key (`sales_order_id`) references `jubelio_sales_order` (`id`) on delete cascade");
  }
}
