// What the job runner is and what jobs are given, as types only: the connectors' job definitions
// (src/connectors/jobs.ts) and deps need them, and importing them from registry.ts or runner.ts,
// which import those definitions, made import circles.
import type { Agenda } from 'agenda';
import type { Config } from '../config.js';
import type { Db } from '../db/orm.js';
import type { MaconomyClient } from '../integrations/maconomy/index.js';
import type { SeatReader } from '../booking/maconomy-seats.js';
import type { WordPressClient } from '../integrations/wordpress/index.js';
import type { MailTransport } from '../mail/transport.js';
import type { HttpLog } from '../connectors/http-log/log.js';
import type { UpstreamAttempt } from '../http/upstream.js';
import type { CommerceConnectors } from '../connectors/commerce/connectors.js';

export type JobStore = 'sql' | 'mongodb';

export interface JobRunner {
  agenda: Agenda;
  store: JobStore;
  /** Starts processing (worker) and makes sure the recurring schedules exist. */
  startWorker(): Promise<void>;
  stop(): Promise<void>;
}

export interface JobDeps {
  config: Config;
  db: Db;
  maconomy: MaconomyClient;
  /** Tagged Maconomy seat answers, shared with the booking service of this process. */
  seats: SeatReader;
  wordpress: WordPressClient;
  mail: MailTransport;
  log: { info(o: object, m?: string): void; warn(o: object, m?: string): void; error(o: object, m?: string): void };
  now?: () => Date;
  /** Called when catalogue data changed (e.g. to invalidate caches). */
  onCatalogChanged?: (ids: string[]) => void;
  /** Outbound calls of connector jobs go through its logged fetch. */
  httpLog?: HttpLog;
  /** Per HTTP attempt of upstream calls made by jobs (Request Out), for metrics. */
  onUpstreamCall?: (attempt: UpstreamAttempt) => void;
  /** Jubelio gateway and BaseLinker <-> Optimakers bridge clients (src/connectors/commerce/connectors.ts). */
  commerce?: CommerceConnectors;
}
