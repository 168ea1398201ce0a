import { Migration } from '@mikro-orm/migrations';

export class Migration20261122224500_PriceRequestOut extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table `connector_product` (`id` varchar(36) not null, `owner_id` varchar(36) not null, `name` varchar(200) not null, `sku` varchar(100) null, `status` varchar(1) not null default '1', `created_at` datetime not null, `updated_at` datetime not null, `deleted_at` datetime null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `connector_product` add index `connector_product_owner_id_index` (`owner_id`)");
    this.addSql("alter table `connector_product` add index `connector_product_owner_id_deleted_at_index` (`owner_id`, `deleted_at`)");
    this.addSql("create table `request_out_route` (`id` varchar(36) not null, `subject` varchar(100) not null, `subject_type` varchar(100) not null, `subject_identifier` varchar(100) not null, `name` varchar(200) not null, `upstream_url` varchar(2000) not null, `auth_type` enum('none','bearer','basic','header') not null default 'none', `auth_header` varchar(100) null, `auth_secret` text null, `timeout_ms` int not null default 10000, `enabled` tinyint(1) not null default true, `created_at` datetime not null, `updated_at` datetime not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `request_out_route` add unique `request_out_route_subject_subject_type_subject_identifier_unique` (`subject`, `subject_type`, `subject_identifier`)");
    this.addSql("create table `request_out_ticket` (`ticket_id` varchar(100) not null, `user_id` varchar(36) not null, `route_id` varchar(36) null, `subject` varchar(100) not null, `subject_type` varchar(100) not null, `subject_identifier` varchar(100) not null, `status` enum('PROCESSING','SUCCEEDED','FAILED') not null default 'PROCESSING', `call_started_at` datetime null, `attempts` int not null default 0, `upstream_status` int null, `action` varchar(200) null, `resource_type` varchar(200) null, `resource` varchar(200) null, `resource_id` varchar(200) null, `data` json null, `error` varchar(500) null, `correlation_id` varchar(100) null, `created_at` datetime not null, `completed_at` datetime null, primary key (`ticket_id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `request_out_ticket` add index `request_out_ticket_user_id_index` (`user_id`)");
    this.addSql("alter table `request_out_ticket` add index `request_out_ticket_route_id_index` (`route_id`)");
    this.addSql("alter table `request_out_ticket` add index `request_out_ticket_status_created_at_index` (`status`, `created_at`)");
    this.addSql("create table `connector_shop` (`id` varchar(36) not null, `owner_id` varchar(36) not null, `name` varchar(200) not null, `status` varchar(1) not null default '1', `created_at` datetime not null, `updated_at` datetime not null, `deleted_at` datetime null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `connector_shop` add index `connector_shop_owner_id_index` (`owner_id`)");
    this.addSql("alter table `connector_shop` add index `connector_shop_owner_id_deleted_at_index` (`owner_id`, `deleted_at`)");
    this.addSql("create table `product_price` (`id` varchar(36) not null, `product_id` varchar(36) not null, `shop_id` varchar(36) not null, `price` bigint not null, `start_date` datetime not null, `end_date` datetime not null, `status` varchar(1) not null default '1', `created_at` datetime not null, `updated_at` datetime not null, `created_by_id` varchar(36) not null, `updated_by_id` varchar(36) null, `deleted_at` datetime null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `product_price` add index `product_price_product_id_index` (`product_id`)");
    this.addSql("alter table `product_price` add index `product_price_shop_id_index` (`shop_id`)");
    this.addSql("alter table `product_price` add index `product_price_created_by_id_index` (`created_by_id`)");
    this.addSql("alter table `product_price` add index `product_price_updated_by_id_index` (`updated_by_id`)");
    this.addSql("alter table `product_price` add index `product_price_product_id_shop_id_deleted_at_index` (`product_id`, `shop_id`, `deleted_at`)");
    this.addSql("alter table `product_price` add index `product_price_product_id_deleted_at_created_at_index` (`product_id`, `deleted_at`, `created_at`)");
    this.addSql("alter table `connector_product` add constraint `connector_product_owner_id_foreign` foreign key (`owner_id`) references `connector_user` (`id`) on delete cascade");
    this.addSql("alter table `request_out_ticket` add constraint `request_out_ticket_user_id_foreign` foreign key (`user_id`) references `connector_user` (`id`) on delete cascade");
    this.addSql("alter table `request_out_ticket` add constraint `request_out_ticket_route_id_foreign` foreign key (`route_id`) references `request_out_route` (`id`) on delete set null");
    this.addSql("alter table `connector_shop` add constraint `connector_shop_owner_id_foreign` foreign key (`owner_id`) references `connector_user` (`id`) on delete cascade");
    this.addSql("alter table `product_price` add constraint `product_price_product_id_foreign` foreign key (`product_id`) references `connector_product` (`id`) on delete cascade");
    this.addSql("alter table `product_price` add constraint `product_price_shop_id_foreign` foreign key (`shop_id`) references `connector_shop` (`id`) on delete cascade");
    this.addSql("alter table `product_price` add constraint `product_price_created_by_id_foreign` foreign key (`created_by_id`) references `connector_user` (`id`) on delete cascade");
    this.addSql("alter table `product_price` add constraint `product_price_updated_by_id_foreign` foreign key (`updated_by_id`) references `connector_user` (`id`) on delete set null");
  }
}
