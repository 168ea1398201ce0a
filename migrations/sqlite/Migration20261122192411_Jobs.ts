import { Migration } from '@mikro-orm/migrations';

export class Migration20261122192411_Jobs extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table `agenda_job` (`id` text not null primary key, `name` text not null, `priority` integer not null default 0, `next_run_at` datetime null, `type` text check (`type` in ('normal', 'single')) not null default 'normal', `locked_at` datetime null, `last_run_at` datetime null, `last_finished_at` datetime null, `failed_at` datetime null, `fail_count` integer null, `fail_reason` text null, `repeat_interval` text null, `repeat_timezone` text null, `repeat_at` text null, `disabled` integer not null default false, `progress` double null, `data` text null, `unique_key` text null, `unique_query` text null, `unique_opts` text null, `debounce_started_at` datetime null, `last_modified_by` text null, `fork` integer null, `start_date` datetime null, `end_date` datetime null, `skip_days` text null)");
    this.addSql("create index `agenda_job_name_next_run_at_priority_index` on `agenda_job` (`name`, `next_run_at`, `priority`)");
    this.addSql("create index `agenda_job_locked_at_index` on `agenda_job` (`locked_at`)");
    this.addSql("create unique index `agenda_job_unique_key_unique` on `agenda_job` (`unique_key`)");
  }
}
