import { Migration } from '@mikro-orm/migrations';

// What Kursus last sent as a post's status and what WordPress last reported (e.g. `trash`), so an
// editor's trash is left alone until Kursus's own publication decision changes.
export class Migration20261206191000_WordPressStatus extends Migration {
  override async up(): Promise<void> {
    this.addSql("alter table `wordpress_post` add column `pushed_status` varchar(20) null");
    this.addSql("alter table `wordpress_post` add column `wp_status` varchar(20) null");
  }
}
