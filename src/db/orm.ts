// One place that knows how to open the database: SQLite (libsql, embedded default) or MySQL.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Options as FullOptions } from '@mikro-orm/core';
type Options = Partial<FullOptions>;
import { MikroORM as LibSqlORM } from '@mikro-orm/libsql';
import { MikroORM as MySqlORM } from '@mikro-orm/mysql';
import { MikroORM as MariaDbORM } from '@mikro-orm/mariadb';
import type { EntityManager as SqlEntityManager, MikroORM as SqlMikroORM, AbstractSqlDriver } from '@mikro-orm/sql';
import { Migrator } from '@mikro-orm/migrations';
import { createPool, type ExecuteValues, type Pool, type PoolConnection, type ResultSetHeader } from 'mysql2';
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
import { commerceConnectorEntities } from '../connectors/commerce/entities-all.js';
import { staffEntities } from '../staff/entities.js';
import { migrationsFor } from '../../migrations/index.js';
import { CatalogueChanges } from '../catalog/catalogue-version.js';
import { recentKeys } from '../recent-keys.js';

export const entities = [...catalogEntities, ...bookingEntities, ...jobEntities, ...wordpressEntities, ...mailEntities, ...connectorAuthEntities, ...httpLogEntities, ...productPriceEntities, ...requestOutEntities, ...commerceConnectorEntities, ...staffEntities];

export type Orm = SqlMikroORM<AbstractSqlDriver>;
export type Em = SqlEntityManager<AbstractSqlDriver>;

/**
 * A read with its parameters bound, not written into the SQL text. MikroORM's `execute()` inlines
 * every parameter into the statement's text, so on SQLite a read whose parameters change (the
 * seats count carries the current time) is a new statement each time: SQLite parses and plans it
 * again (the shown-seats statement: ~60% of an uncached listing's CPU, issue 14) and the prepared
 * statement cache below never hits. Bound, the text is the same and its prepared statement is
 * reused; unlike Db.bound it runs in or outside a transaction (the request's unit of work).
 * Values are bound as MikroORM writes them on SQLite (sqliteValue). On MySQL, outside a
 * transaction, a prepared statement of mysql2's on the ORM's own pool (mysqlPrepared); inside
 * one, the ORM's own `execute()` on the transaction's connection. Logged and timed like any ORM
 * query.
 */
export async function selectBound<T = Record<string, unknown>>(em: Em, sql: string, params: readonly unknown[]): Promise<T[]> {
  const ctx = em.getTransactionContext();
  const conn = em.getConnection();
  if (!sqliteOrms.has(em.config)) {
    const prepared = ctx ? undefined : mysqlPrepared.get(em.config);
    if (prepared && params.every(bindsAsInlined)) return prepared<T>(sql, params);
    return conn.execute<T[]>(sql, params as unknown[], 'all', ctx);
  }
  const parameters = params.map(sqliteValue);
  const compiled = { sql, parameters, query: { kind: 'RawNode', sqlFragments: [sql], parameters: [] }, queryId: { queryId: 'kursus-bound-read' } };
  const client = (ctx ?? conn.getClient()) as unknown as { executeQuery(q: typeof compiled): Promise<{ rows: T[] }> };
  const timed = conn as unknown as { executeQuery<R>(sql: string, run: () => Promise<R>, context?: object): Promise<R> };
  return timed.executeQuery(sql, async () => (await client.executeQuery(compiled)).rows, { query: sql, params: parameters });
}

/** Per MySQL ORM configuration: its reads outside a transaction as prepared statements (selectBound). */
const mysqlPrepared = new WeakMap<object, <T>(sql: string, params: readonly unknown[]) => Promise<T[]>>();

/**
 * Prepared statements mysql2 keeps per connection of the ORM's pool (its default: 16,000), the
 * least recently used closed beyond. The server holds at most this many per connection (the pool's
 * 20: 1,280 per process) against MySQL's and MariaDB's max_prepared_stmt_count, 16,382 by default
 * for the whole server. The storefront's statements differ by how many ids they list (1 to 100,
 * the largest page), so uncommon lengths come and go while the usual ones stay.
 */
const MYSQL_PREPARED_PER_CONNECTION = 64;
/** ER_MAX_PREPARED_STMT_COUNT_REACHED: the server's prepared statements are used up (by anyone). */
const MAX_PREPARED_STMT_COUNT_REACHED = 1461;

/**
 * Whether mysql2 binds the value to the same SQL value MikroORM writes into the text: strings,
 * null, booleans (1 and 0), safe integers (bound as numbers, not as decimal literals), valid dates
 * (both in the pool's time zone, +00:00, to the microsecond). Anything else (an array MikroORM
 * would expand, undefined it writes as NULL) goes the ORM's way.
 */
function bindsAsInlined(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isSafeInteger(v);
  return v instanceof Date && !Number.isNaN(v.getTime());
}

/**
 * selectBound's MySQL reads outside a transaction: mysql2's `execute()` on the ORM's pool, which
 * prepares a statement text once per connection and then sends only its values (binary protocol).
 * Per statement it skips MikroORM's formatting of every value into the text and Kysely's layers,
 * and the server parses the text once. Same connections, so the same session settings (READ
 * COMMITTED is set by Kysely when it first takes a connection; a single read does not depend on
 * it). Rows as the ORM's pool returns them (dateStrings, supportBigNumbers, jsonStrings: the
 * parsers read the same options in both protocols). Errors are mysql2's, as through Kysely.
 */
async function preparedReads(orm: Orm) {
  const conn = orm.em.getConnection();
  const pool = await (conn as unknown as { getNativeClient(): Promise<Pool> }).getNativeClient();
  // Kysely ends the pool on close only once it has taken a connection from it: a process whose
  // queries were all prepared reads would otherwise keep its connections open after close().
  await (conn as unknown as { getClient(): { getExecutor(): { provideConnection(use: () => Promise<void>): Promise<void> } } }).getClient().getExecutor().provideConnection(async () => {});
  const timed = conn as unknown as { executeQuery<R>(sql: string, run: () => Promise<R>, context?: object): Promise<R> };
  // The ORM's timing and logging wrapper only when something reads it (tests counting queries,
  // a slow-query threshold): about 7 µs a statement, a third to a half of what this way saves
  // (test/bench/mysql-statement-micro.ts).
  const logged = orm.config.getLogger().isEnabled('query') || orm.config.get('slowQueryThreshold') != null;
  const execute = <T>(sql: string, params: readonly unknown[]) =>
    new Promise<T[]>((resolve, reject) => pool.execute(sql, params as ExecuteValues[], (err, rows) => (err ? reject(err) : resolve(rows as T[]))));
  // Another client holds the server's last prepared statements: this read goes as text.
  const asText = <T>(sql: string, params: readonly unknown[]) => (err: unknown) => {
    if ((err as { errno?: unknown }).errno !== MAX_PREPARED_STMT_COUNT_REACHED) throw err;
    return conn.execute<T[]>(sql, params as unknown[], 'all');
  };
  return <T>(sql: string, params: readonly unknown[]): Promise<T[]> =>
    (logged ? timed.executeQuery(sql, () => execute<T>(sql, params), { query: sql, params }) : execute<T>(sql, params)).catch(asText<T>(sql, params));
}

/** The configurations of the SQLite ORMs opened here (their units of work share it). */
const sqliteOrms = new WeakSet<object>();

/** Per SQLite ORM configuration: its connection's change mark (shareSqliteFileSafely). */
const sqliteChangeMarks = new WeakMap<object, () => string>();

/**
 * A mark that differs whenever anything may have been written to the database since it was
 * taken, by this process or another: SQLite's `data_version` (moves when another connection
 * commits) with the number of writes this connection has run. Synchronous and a few µs, so a
 * read can tell whether what it computed before is still what the database says. A write counts
 * when it runs, before its commit, and a rolled-back one counts too: a mark can move when nothing
 * changed, never stay when something did. Null on MySQL, which has no such counter.
 */
export function changeMark(em: Em): string | null {
  return sqliteChangeMarks.get(em.config)?.() ?? null;
}

export interface Db {
  orm: Orm;
  kind: DatabaseKind;
  /** A fresh unit of work; never share one between requests. */
  em(): Em;
  /**
   * Runs the statements in one transaction of their own, in one go, and returns what each one
   * wrote. For the hottest write path (a new seat hold), where the ORM's transaction was most of
   * its cost. MySQL: one round trip, as one multi-statement query (begin, the statements, commit),
   * at READ COMMITTED. SQLite: BEGIN IMMEDIATE (the database's write lock, waited for as every
   * write is), the statements with their values bound and their prepared form kept (see `bound`),
   * COMMIT, all in one synchronous step once the lock is held, so nothing else runs on the
   * connection meanwhile. If one fails, those after it do not run and the transaction is rolled
   * back.
   */
  batch: (statements: readonly { sql: string; params: readonly unknown[] }[]) => Promise<{ affectedRows: number }[]>;
  /**
   * SQLite only (undefined on MySQL): runs one statement inside `tx`'s transaction with its values
   * bound, reusing the statement's prepared form. MikroORM writes every value into the SQL text,
   * so no two seat holds share a statement and each one was compiled again (a tenth of a
   * reservation's CPU). Only inside a transaction: the transaction holds the one connection, so
   * nothing else runs on it meanwhile. Results as MikroORM's execute: rows, or affectedRows.
   * `keep: false`: prepared for this call only (a statement whose text varies, such as a
   * multi-row insert: kept, each shape would hold its compiled form until 256 others pushed it out).
   */
  bound?: <T = unknown>(tx: Em, sql: string, params: readonly unknown[], method: 'all' | 'run', opts?: { keep?: boolean }) => Promise<T>;
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
    // Catalogue writes move the catalogue's version (src/catalog/catalogue-memory.ts).
    subscribers: [new CatalogueChanges()],
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
    return { ...base, dbName: database.sqlitePath };
  }
  return {
    ...base,
    clientUrl: database.url,
    pool: { min: 0, max: opts.poolMax ?? 20 },
    timezone: '+00:00',
    driverOptions: { maxPreparedStatements: MYSQL_PREPARED_PER_CONNECTION },
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

interface KyselyConnection {
  executeQuery(q: { sql: string; parameters?: readonly unknown[] }): Promise<unknown>;
}

interface NativeSqlite {
  exec(sql: string): void;
  prepare(sql: string): NativeStatement;
  readonly inTransaction: boolean;
}
interface NativeStatement {
  readonly reader: boolean;
  all(parameters: readonly unknown[]): unknown[];
  get(parameters: readonly unknown[]): unknown;
  raw(on: boolean): NativeStatement;
  run(parameters: readonly unknown[]): { changes: number; lastInsertRowid: number | bigint };
}

/** Prepared reads kept per SQL text (the storefront's few shapes; the least recently used is dropped beyond). */
const SQLITE_STATEMENT_CACHE = 256;
const SELECT = /^\s*select\b/i;
/** Writes whose rows libsql's own dialect reads (it checks the same). */
const returnsRows = (sql: string) => {
  const q = sql.trim().toLowerCase();
  return (q.startsWith('insert into') || q.startsWith('update ')) && q.includes(' returning ');
};

/** How long a write waits for another connection's write lock before "database is locked". */
const SQLITE_LOCK_WAIT_MS = 5_000;

const isSqliteBusy = (err: unknown) => /^SQLITE_BUSY/.test(String((err as { code?: unknown })?.code ?? ''));
/** Statements that run as they are outside a transaction: reads, and what a transaction cannot hold. */
const OUTSIDE_TRANSACTION = /^\s*(select|pragma|explain|vacuum|attach|detach)\b/i;

/**
 * SQLite with more than one connection on a file (an API and a worker process, or a test's second
 * connection in one process) needs what the defaults get wrong:
 * - Every write takes the write lock up front (BEGIN IMMEDIATE). A deferred transaction that reads
 *   and then writes must upgrade its lock, and when another connection wrote in between SQLite
 *   fails it at once (SQLITE_BUSY / SQLITE_BUSY_SNAPSHOT): the bench's worker process saw job
 *   runs fail with "database is locked" that way. A write outside a transaction gets its own
 *   IMMEDIATE transaction.
 * - The wait for that lock is asynchronous: BEGIN IMMEDIATE is retried after short pauses for up
 *   to SQLITE_LOCK_WAIT_MS. SQLite's own busy handler (busy_timeout) sleeps inside the synchronous
 *   libsql call, which stops the event loop, and with two connections in one process the lock
 *   holder then can never finish. BEGIN goes through exec(): a prepared statement that failed
 *   with SQLITE_BUSY stays "in progress" in libsql and makes the next COMMIT fail.
 * Inside a transaction nothing waits: it holds the write lock, and WAL readers never block.
 * With one connection (npm start) no wait ever happens.
 */
function shareSqliteFileSafely(conn: KyselyConnection, native: NativeSqlite) {
  const lockForWrite = async () => {
    for (let waited = 0, attempt = 0; ; attempt++) {
      try {
        native.exec('begin immediate');
        return;
      } catch (err) {
        if (!isSqliteBusy(err) || waited >= SQLITE_LOCK_WAIT_MS) throw err;
        const pause = Math.min(20, 1 + attempt);
        await sleep(pause);
        waited += pause;
      }
    }
  };
  // libsql's driver prepares every statement again on every call: about a tenth of an uncached
  // catalogue answer's CPU, and of a seat hold's (its lock and conditional insert are long). Reads
  // and bound statements (Db.bound) keep their prepared form per SQL text; other writes carry
  // their values in the text (MikroORM inlines them), so keeping them would only push the
  // storefront's reads out. all() and run() execute a statement to the end synchronously, so one
  // statement is never used by two queries at once; one that failed is dropped, so a statement
  // left mid-step is never run again.
  const statements = recentKeys<NativeStatement>(SQLITE_STATEMENT_CACHE);
  /** Statements other than selects run on this connection (changeMark): data_version ignores them. */
  let ownWrites = 0;
  // Raw (an array, not an object with libsql's per-row metadata) and get(), not all(): a third of the cost.
  const dataVersion = native.prepare('pragma data_version').raw(true);
  const run = (q: { sql: string; parameters?: readonly unknown[] }, keep: boolean) => {
    // Least recently used first out: MikroORM's reads carry their values in the text (an order by
    // its id), and a stream of those must not push out the storefront's few hot statements.
    const stmt = keep ? statements.use(q.sql, () => native.prepare(q.sql)) : (statements.get(q.sql) ?? native.prepare(q.sql));
    try {
      // As libsql's own dialect: rows for reads and RETURNING, the changes for other writes.
      // By its text, not by `reader`: libsql calls an insert or update with RETURNING a reader.
      if (!SELECT.test(q.sql)) ownWrites++;
      if (stmt.reader || returnsRows(q.sql)) return { rows: stmt.all(q.parameters ?? []) };
      const { changes, lastInsertRowid } = stmt.run(q.parameters ?? []);
      return { numAffectedRows: changes, insertId: lastInsertRowid, rows: [] };
    } catch (err) {
      statements.delete(q.sql);
      throw err;
    }
  };
  conn.executeQuery = async (q) => {
    if (SELECT.test(q.sql)) return run(q, true);
    if (q.sql === 'begin') {
      await lockForWrite();
      return { rows: [] };
    }
    if (native.inTransaction || OUTSIDE_TRANSACTION.test(q.sql)) return run(q, false);
    await lockForWrite();
    try {
      const result = run(q, false);
      native.exec('commit');
      return result;
    } catch (err) {
      if (native.inTransaction) native.exec('rollback');
      throw err;
    }
  };
  return {
    /** See changeMark. Safe at any time: every statement on the connection runs to its end synchronously. */
    changeMark: () => `${(dataVersion.get([]) as [number])[0]}:${ownWrites}`,
    /**
     * The statements in a transaction of their own (Db.batch), values bound and prepared forms
     * kept. The caller holds the connection (its mutex), so no other transaction is open on it.
     */
    async transaction(statements: readonly { sql: string; params: readonly unknown[] }[]): Promise<{ affectedRows: number }[]> {
      await lockForWrite();
      try {
        const results = statements.map((s) => ({ affectedRows: Number(run({ sql: s.sql, parameters: s.params.map(sqliteValue) }, true).numAffectedRows ?? 0) }));
        native.exec('commit');
        return results;
      } catch (err) {
        if (native.inTransaction) native.exec('rollback');
        throw err;
      }
    },
    /** A statement inside the open transaction, values bound as MikroORM writes them into SQL. */
    inTransaction(sql: string, params: readonly unknown[], keep: boolean) {
      if (!native.inTransaction) throw new Error('a bound statement runs only inside a transaction');
      return run({ sql, parameters: params.map(sqliteValue) }, keep);
    },
  };
}

/** A value as MikroORM's SQLite platform writes it: dates as epoch milliseconds, booleans as 1 and 0. */
function sqliteValue(v: unknown): unknown {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

export async function openDb(database: Config['database'], opts: OpenDbOptions = {}): Promise<Db> {
  let orm: Orm;
  let bound: Db['bound'];
  let batch: Db['batch'];
  let closeBatch: (() => Promise<void>) | undefined;
  if (database.kind === 'sqlite') {
    if (database.sqlitePath && database.sqlitePath !== ':memory:') mkdirSync(dirname(database.sqlitePath), { recursive: true });
    let kysely: KyselyConnection | undefined;
    const onCreateConnection = async (connection: unknown) => {
      kysely = connection as KyselyConnection;
    };
    orm = (await LibSqlORM.init({ ...ormOptions(database, opts), onCreateConnection } as never)) as unknown as Orm;
    sqliteOrms.add(orm.config);
    const conn = orm.em.getConnection();
    // WAL lets readers run during a write. busy_timeout 0: a locked database is waited for by
    // shareSqliteFileSafely, not by SQLite's busy handler, which sleeps inside the
    // (synchronous) libsql call and so stops the whole event loop while it waits.
    await conn.execute('pragma journal_mode = wal');
    await conn.execute('pragma busy_timeout = 0');
    await conn.execute('pragma synchronous = normal');
    if (!kysely) throw new Error('libsql connection was not created');
    const shared = shareSqliteFileSafely(kysely, await (conn as unknown as { getNativeClient(): Promise<NativeSqlite> }).getNativeClient());
    sqliteChangeMarks.set(orm.config, shared.changeMark);
    const platform = orm.em.getPlatform();
    bound = async <T>(tx: Em, sql: string, params: readonly unknown[], method: 'all' | 'run', bindOpts: { keep?: boolean } = {}) => {
      if (!tx.isInTransaction()) throw new Error('a bound statement runs only inside a transaction');
      opts.onQuery?.(platform.formatQuery(sql, params as unknown[]));
      const res = shared.inTransaction(sql, params, bindOpts.keep ?? true) as { rows: unknown[]; numAffectedRows?: number };
      return (method === 'all' ? res.rows : { affectedRows: Number(res.numAffectedRows ?? 0), rows: res.rows }) as T;
    };
    // Through Kysely's connection provider: it holds the connection's mutex, as the ORM's own
    // transactions and queries do, so the batch never runs inside another request's transaction.
    const executor = (conn as unknown as { getClient(): { getExecutor(): { provideConnection<T>(use: () => Promise<T>): Promise<T> } } }).getClient().getExecutor();
    batch = (statements) => {
      for (const s of statements) opts.onQuery?.(platform.formatQuery(s.sql, s.params as unknown[]));
      return executor.provideConnection(() => shared.transaction(statements));
    };
  } else {
    orm = (await MySqlORM.init(ormOptions(database, opts) as never)) as unknown as Orm;
    // Same SQL and migrations for both servers, but MariaDB's information_schema reports column
    // defaults differently; its own driver keeps the schema diff (and `migration-tool`) exact.
    const [row] = await orm.em.getConnection().execute<{ v: string }[]>('select version() as v');
    if (opts.mysqlDriver !== 'mysql' && /mariadb/i.test(row?.v ?? '')) {
      await orm.close(true);
      orm = (await MariaDbORM.init(ormOptions(database, opts) as never)) as unknown as Orm;
    }
    mysqlPrepared.set(orm.config, await preparedReads(orm));
  }
  if (database.kind === 'mysql') {
    const batcher = mysqlBatcher(database.url, orm, opts);
    batch = batcher.run;
    closeBatch = batcher.close;
  }
  return {
    orm,
    kind: database.kind,
    em: () => orm.em.fork({ clear: true, useContext: false }) as Em,
    batch: batch!,
    ...(bound ? { bound } : {}),
    close: async () => {
      await closeBatch?.();
      await orm.close(true);
    },
  };
}

/**
 * `Db.batch` on MySQL: a small pool of its own, opened on first use, whose connections allow
 * multiple statements (the ORM's pool does not, so nothing else can send stacked statements).
 * The statements' values are inlined by MikroORM's own formatter, as every ORM query is, so dates,
 * booleans and strings are written exactly as the ORM writes them.
 */
function mysqlBatcher(url: string, orm: Orm, opts: OpenDbOptions) {
  let pool: Pool | undefined;
  const platform = orm.em.getPlatform();
  // mysql2's callback API: its promise wrapper captures a stack trace for every query (a twentieth
  // of a seat hold's CPU on MySQL), for errors that name the caller we report anyway.
  const connection = (p: Pool) => new Promise<PoolConnection>((resolve, reject) => p.getConnection((err, conn) => (err ? reject(err) : resolve(conn))));
  const query = (conn: PoolConnection, sql: string) => new Promise<unknown>((resolve, reject) => conn.query(sql, (err, results) => (err ? reject(err) : resolve(results))));
  return {
    async run(statements: readonly { sql: string; params: readonly unknown[] }[]): Promise<ResultSetHeader[]> {
      // READ COMMITTED as every session of the ORM's pool (ormOptions), for this transaction.
      const sql = ['set transaction isolation level read committed', 'start transaction', ...statements.map((s) => platform.formatQuery(s.sql, s.params as unknown[])), 'commit'].join(';\n');
      opts.onQuery?.(sql);
      pool ??= createPool({ uri: url.replace(/^mariadb:/, 'mysql:'), multipleStatements: true, connectionLimit: 10, timezone: '+00:00', connectTimeout: 10_000 });
      const conn = await connection(pool);
      try {
        const results = (await query(conn, sql)) as ResultSetHeader[];
        conn.release();
        // The statements' own results, between the begin and the commit.
        return results.slice(2, 2 + statements.length);
      } catch (err) {
        // The statements before the failing one ran: end a transaction they began, or drop the connection.
        await query(conn, 'rollback').then(
          () => conn.release(),
          () => conn.destroy(),
        );
        throw err;
      }
    },
    close: async () => {
      if (pool) await new Promise<void>((resolve, reject) => pool!.end((err) => (err ? reject(err) : resolve())));
    },
  };
}

export async function migrate(db: Db): Promise<string[]> {
  const done = await db.orm.migrator.up();
  return done.map((m) => m.name);
}
