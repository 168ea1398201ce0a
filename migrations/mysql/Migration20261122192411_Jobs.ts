import { Migration } from '@mikro-orm/migrations';

export class Migration20261122192411_Jobs extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table `agenda_job` (`id` varchar(36) not null, `name` varchar(255) not null, `priority` int not null default 0, `next_run_at` datetime(3) null, `type` enum('normal','single') not null default 'normal', `locked_at` datetime(3) null, `last_run_at` datetime(3) null, `last_finished_at` datetime(3) null, `failed_at` datetime(3) null, `fail_count` int null, `fail_reason` text null, `repeat_interval` varchar(255) null, `repeat_timezone` varchar(64) null, `repeat_at` varchar(255) null, `disabled` tinyint(1) not null default false, `progress` double null, `data` text null, `unique_key` varchar(64) null, `unique_query` text null, `unique_opts` text null, `debounce_started_at` datetime(3) null, `last_modified_by` varchar(255) null, `fork` tinyint(1) null, `start_date` datetime(3) null, `end_date` datetime(3) null, `skip_days` text null, primary key (`id`)) default character set utf8mb4 engine = InnoDB");
    this.addSql("alter table `agenda_job` add index `agenda_job_name_next_run_at_priority_index` (`name`, `next_run_at`, `priority`)");
    this.addSql("alter table `agenda_job` add index `agenda_job_locked_at_index` (`locked_at`)");
    this.addSql("alter table `agenda_job` add unique `agenda_job_unique_key_unique` (`unique_key`)");
  }
}
