// What the REST connectors get from buildKursus.
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../db/orm.js';
import type { JobRunner } from '../jobs/types.js';
import type { HttpLog } from './http-log/log.js';

export interface ConnectorDeps {
  config: Config;
  db: Db;
  now: () => Date;
  httpLog: HttpLog;
  log: FastifyBaseLogger;
  /** The job runner (Request Out enqueues its upstream calls); absent in processes without one. */
  jobs?: JobRunner;
}
