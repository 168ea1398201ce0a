// One place that knows how to open the database: SQLite (libsql, embedded default) or MySQL.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Options as FullOptions } from '@mikro-orm/core';
type Options = Partial<FullOptions>;
import { MikroORM as LibSqlORM } from '@mikro-orm/libsql';
import { MikroORM as MySqlORM } from '@mikro-orm/mysql';
import { MikroORM as MariaDbORM } from '@mikro-orm/mariadb';
import type { EntityManager as SqlEntityManager, MikroORM as SqlMikroORM, AbstractSqlDriver } from '@mikro-orm/sql';
import { Migrator } from '@mikro-orm/migrations';
import type { Config, DatabaseKind } from '../config.js';
import { catalogEntities } from '../catalog/entities.js';
import { bookingEntities } from '../booking/entities.js';
import { jobEntities } from '../jobs/entities.js';
import { wordpressEntities } from '../integrations/wordpress/entities.js';
import { mailEntities } from '../mail/entities.js';
import { connectorAuthEntities } from '../connectors/auth/entities.js';
import { httpLogEntities } from '../connectors/http-log/entities.js';
import { productPriceEntities } from '../connectors/product-price/entities.js';
import { requestOutEntities } from '../connectors/request-out/entities.js';
import { commerceConnectorEntities } from '../connectors/commerce-entities-all.js';
import { migrationsFor } from '../../migrations/index.js';

export const entities = [...catalogEntities, ...bookingEntities, ...jobEntities, ...wordpressEntities, ...mailEntities, ...connectorAuthEntities, ...httpLogEntities, ...productPriceEntities, ...requestOutEntities, ...commerceConnectorEntities];

export type Orm = SqlMikroORM<AbstractSqlDriver>;
export type Em = SqlEntityManager<AbstractSqlDriver>;

export interface Db {
  orm: Orm;
  kind: DatabaseKind;
  /** A fresh unit of work; never share one between requests. */
  em(): Em;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  /** Counts or records every SQL statement (tests count queries per request). */
  onQuery?: (sql: string) => void;
  logger?: { warn(obj: object, msg?: string): void };
  poolMax?: number;
  /**
   * Which MikroORM driver talks to a MySQL-protocol server. `auto` (the default) picks
   * @mikro-orm/mariadb when the server is MariaDB, else @mikro-orm/mysql; tests force `mysql` to
   * exercise MySQL 8's driver on the MariaDB they have.
   */
  mysqlDriver?: 'auto' | 'mysql';
}

export function ormOptions(database: Config['database'], opts: OpenDbOptions = {}): Options {
  const base: Options = {
    entities,
    extensions: [Migrator],
    migrations: {
      migrationsList: migrationsFor(database.kind),
      tableName: 'mikro_orm_migrations',
      transactional: true,
      snapshot: false,
      snapshotOnMigrate: false,
      silent: true,
    },
    // Serialise reads of relations across a GraphQL request: batches references into one query.
    dataloader: true,
    forceUtcTimezone: true,
    ensureDatabase: false,
    allowGlobalContext: false,
    debug: opts.onQuery ? ['query'] : false,
  };
  if (opts.onQuery) base.logger = (msg: string) => opts.onQuery!(msg);
  if (database.kind === 'sqlite') {
    return {
      ...base,
      dbName: database.sqlitePath,
      // Transactions begin IMMEDIATE (take the write lock at BEGIN, waiting up to busy_timeout).
      // With the default deferred BEGIN a transaction that reads and then writes must upgrade its
      // lock, and when another process (an API and a worker on one file) wrote in between, SQLite
      // fails it at once with SQLITE_BUSY / SQLITE_BUSY_SNAPSHOT instead of waiting: the bench saw
      // job runs fail with "database is locked" that way. In one process nothing changes, since
      // its single connection runs one transaction at a time anyway.
      onCreateConnection: async (connection: unknown) => {
        const conn = connection as { executeQuery(q: { sql: string }): Promise<unknown> };
        const execute = conn.executeQuery.bind(conn);
        conn.executeQuery = (q) => execute(q.sql === 'begin' ? { ...q, sql: 'begin immediate' } : q);
      },
    };
  }
  return {
    ...base,
    clientUrl: database.url,
    pool: { min: 0, max: opts.poolMax ?? 20 },
    timezone: '+00:00',
    // Every session at READ COMMITTED: a count taken after a row lock sees what committed before
    // it (the seat hold, the price overlap check), InnoDB takes no gap locks on range updates (the
    // job store, the mail outbox), and no transaction pays a round trip to set its level.
    onCreateConnection: async (connection: unknown) => {
      await (connection as { executeQuery(q: { sql: string; parameters: readonly unknown[] }): Promise<unknown> }).executeQuery({
        sql: 'set session transaction isolation level read committed',
        parameters: [],
      });
    },
  };
}

export async function openDb(database: Config['database'], opts: OpenDbOptions = {}): Promise<Db> {
  let orm: Orm;
  if (database.kind === 'sqlite') {
    if (database.sqlitePath && database.sqlitePath !== ':memory:') mkdirSync(dirname(database.sqlitePath), { recursive: true });
    orm = (await LibSqlORM.init(ormOptions(database, opts) as never)) as unknown as Orm;
    const conn = orm.em.getConnection();
    // WAL lets readers run during a write; busy_timeout makes a second process wait for the
    // write lock instead of failing at once.
    await conn.execute('pragma journal_mode = wal');
    await conn.execute('pragma busy_timeout = 5000');
    await conn.execute('pragma synchronous = normal');
  } else {
    orm = (await MySqlORM.init(ormOptions(database, opts) as never)) as unknown as Orm;
    // Same SQL and migrations for both servers, but MariaDB's information_schema reports column
    // defaults differently; its own driver keeps the schema diff (and `migration-tool`) exact.
    const [row] = await orm.em.getConnection().execute<{ v: string }[]>('select version() as v');
    if (opts.mysqlDriver !== 'mysql' && /mariadb/i.test(row?.v ?? '')) {
      await orm.close(true);
      orm = (await MariaDbORM.init(ormOptions(database, opts) as never)) as unknown as Orm;
    }
  }
  return {
    orm,
    kind: database.kind,
    em: () => orm.em.fork({ clear: true, useContext: false }) as Em,
    close: () => orm.close(true),
  };
}

export async function migrate(db: Db): Promise<string[]> {
  const done = await db.orm.migrator.up();
  return done.map((m) => m.name);
}
