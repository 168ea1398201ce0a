import { Migration } from '@mikro-orm/migrations';

export class Migration20261201160000_JobDueIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql("create index `agenda_job_next_run_at_index` on `agenda_job` (`next_run_at`)");
  }
}
