// Migrations are listed explicitly (not globbed) so the same list works from TypeScript sources in
// tests and from the compiled output in production.
import type { Migration } from '@mikro-orm/migrations';
import type { DatabaseKind } from '../src/config.js';
import * as sqlite from './sqlite/index.js';
import * as mysql from './mysql/index.js';

type MigrationClass = new (...args: any[]) => Migration;

export function migrationsFor(kind: DatabaseKind): { name: string; class: MigrationClass }[] {
  const mod: Record<string, unknown> = kind === 'sqlite' ? sqlite : mysql;
  return Object.entries(mod)
    .filter(([name]) => name.startsWith('Migration'))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, cls]) => ({ name, class: cls as MigrationClass }));
}
