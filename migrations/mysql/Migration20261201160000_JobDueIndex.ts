import { Migration } from '@mikro-orm/migrations';

export class Migration20261201160000_JobDueIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql("alter table `agenda_job` add index `agenda_job_next_run_at_index` (`next_run_at`)");
  }
}
