// `node dist/src/db/migration-tool.js <sqlite|mysql> <url> <Name>`: migrates the given (scratch)
// database, diffs it against the entities and writes the difference as a new migration class for
// that database kind. Keeps the hand-off from entity change to migration mechanical.
import { writeFileSync, readFileSync } from 'node:fs';
import { parseDatabaseUrl } from '../config.js';
import { openDb, migrate } from './orm.js';

export async function pendingSchemaSql(url: string): Promise<string> {
  const db = await openDb(parseDatabaseUrl(url));
  try {
    await migrate(db);
    return await db.orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true });
  } finally {
    await db.close();
  }
}

async function main() {
  const [kind, url, name] = process.argv.slice(2);
  if (!kind || !url || !name) throw new Error('usage: migration-tool <sqlite|mysql> <database-url> <Name>');
  const sql = (await pendingSchemaSql(url)).trim();
  if (!sql) {
    console.log('entities and migrations agree: nothing to write');
    return;
  }
  // A full class name (`Migration20261122120000_Mail`) is used as given, so the SQLite and MySQL
  // migrations of one change share a name; a bare name gets the current time stamp.
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const cls = /^Migration\d{14}_\w+$/.test(name) ? name : `Migration${stamp}_${name}`;
  const statements = sql
    .split(/;\s*\n/)
    .map((s) => s.trim().replace(/;$/, ''))
    .filter(Boolean);
  const body = `import { Migration } from '@mikro-orm/migrations';\n\nexport class ${cls} extends Migration {\n  override async up(): Promise<void> {\n${statements
    .map((s) => `    this.addSql(${JSON.stringify(s)});`)
    .join('\n')}\n  }\n}\n`;
  const file = `migrations/${kind}/${cls}.ts`;
  writeFileSync(file, body);
  const index = `migrations/${kind}/index.ts`;
  const current = readFileSync(index, 'utf8').replace(/^export \{\};\n?/m, '');
  writeFileSync(index, `${current}export { ${cls} } from './${cls}.js';\n`);
  console.log(`wrote ${file}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
