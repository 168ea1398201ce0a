// An in-process server that speaks enough of MongoDB's wire protocol for the real `mongodb` driver
// and @agendajs/mongo-backend: OP_MSG (and OP_QUERY for a legacy handshake), the handshake and
// housekeeping commands (hello/isMaster, ping, buildInfo, endSessions, ...), and the CRUD commands
// the job store sends (find, insert, update, delete, findAndModify with sort/upsert/new,
// aggregate, count, distinct, createIndexes with unique indexes and E11000 errors, getMore and
// killCursors). Documents are BSON (the driver's `bson` package); queries, updates, sorts and
// pipelines are evaluated by `mingo`. One process, one event loop: each command runs to the end
// before the next starts, so findAndModify is atomic as on a real server.
//
// What it proves: Kursus's wiring and the queries the backend sends, through the real driver.
// What it does not: a real MongoDB's locking under concurrency across connections and machines,
// its timing, its durability, its query planner (set MONGODB_TEST_URL to run against one).
import { createServer, type Server, type Socket } from 'node:net';
import { BSON, Long, ObjectId, type Document } from 'bson';
import { Query, aggregate, update as applyUpdate } from 'mingo';

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;

interface IndexSpec {
  name: string;
  key: Record<string, number>;
  unique: boolean;
  partialFilterExpression?: Document;
}

interface Collection {
  docs: Document[];
  indexes: IndexSpec[];
}

class CommandError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly codeName = 'BadValue',
  ) {
    super(message);
  }
}

export interface MongoWireServer {
  url: string;
  /** Commands received, by name (tests can see what the driver sent). */
  commands: Map<string, number>;
  close(): Promise<void>;
}

const get = (doc: Document, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Document)[k] : undefined), doc);
const keyOf = (v: unknown) => (v instanceof ObjectId ? `oid:${v.toHexString()}` : v instanceof Date ? `date:${v.getTime()}` : JSON.stringify(v ?? null));
const clone = (doc: Document): Document => BSON.deserialize(BSON.serialize(doc));

function sortDocs(docs: Document[], sort: Document | undefined): Document[] {
  if (!sort || Object.keys(sort).length === 0) return docs;
  return aggregate(docs, [{ $sort: sort }]) as Document[];
}

/** The fields an upsert starts from: the query's plain equalities. */
function seedFromQuery(q: Document): Document {
  const doc: Document = {};
  for (const [k, v] of Object.entries(q)) {
    if (k.startsWith('$')) {
      if (k === '$and' && Array.isArray(v)) for (const part of v) Object.assign(doc, seedFromQuery(part as Document));
      continue;
    }
    if (v && typeof v === 'object' && !(v instanceof Date) && !(v instanceof ObjectId) && Object.keys(v).some((x) => x.startsWith('$'))) {
      if ('$eq' in v) doc[k] = (v as Document).$eq;
      continue;
    }
    doc[k] = v;
  }
  return doc;
}

export async function startMongoWireServer(): Promise<MongoWireServer> {
  const dbs = new Map<string, Map<string, Collection>>();
  const commands = new Map<string, number>();
  let connections = 0;
  const sockets = new Set<Socket>();

  const coll = (db: string, name: string): Collection => {
    let d = dbs.get(db);
    if (!d) dbs.set(db, (d = new Map()));
    let c = d.get(name);
    if (!c) d.set(name, (c = { docs: [], indexes: [{ name: '_id_', key: { _id: 1 }, unique: true }] }));
    return c;
  };
  const matches = (filter: Document | undefined) => {
    const q = new Query(filter ?? {}, {});
    return (doc: Document) => q.test(doc);
  };

  /** E11000 when `doc` would duplicate a unique index key of another document. */
  function checkUnique(c: Collection, doc: Document, ns: string) {
    for (const idx of c.indexes) {
      if (!idx.unique) continue;
      if (idx.partialFilterExpression && !matches(idx.partialFilterExpression)(doc)) continue;
      const fields = Object.keys(idx.key);
      const key = fields.map((f) => keyOf(get(doc, f))).join('|');
      const clash = c.docs.find((o) => o !== doc && (!idx.partialFilterExpression || matches(idx.partialFilterExpression)(o)) && fields.map((f) => keyOf(get(o, f))).join('|') === key);
      if (clash) throw new CommandError(11000, `E11000 duplicate key error collection: ${ns} index: ${idx.name} dup key: { ${fields.map((f) => `${f}: ${keyOf(get(doc, f))}`).join(', ')} }`, 'DuplicateKey');
    }
  }

  /** Applies an update document (operators or a replacement) to `doc` in place. */
  function applyTo(doc: Document, u: Document, inserting: boolean) {
    const ops = Object.keys(u);
    if (ops.length && ops.every((k) => !k.startsWith('$'))) {
      for (const k of Object.keys(doc)) if (k !== '_id') delete doc[k];
      Object.assign(doc, clone(u), { _id: doc._id });
      return;
    }
    const { $setOnInsert, ...rest } = u;
    if (Object.keys(rest).length) applyUpdate(doc, rest as never);
    if (inserting && $setOnInsert) applyUpdate(doc, { $set: $setOnInsert } as never);
  }

  function writeOne(c: Collection, ns: string, q: Document, u: Document, opts: { upsert?: boolean; multi?: boolean; sort?: Document }) {
    const targets = sortDocs(c.docs.filter(matches(q)), opts.sort);
    const chosen = opts.multi ? targets : targets.slice(0, 1);
    const before: Document[] = [];
    for (const doc of chosen) {
      const old = clone(doc);
      before.push(old);
      applyTo(doc, u, false);
      try {
        checkUnique(c, doc, ns);
      } catch (err) {
        for (const k of Object.keys(doc)) delete doc[k];
        Object.assign(doc, old);
        throw err;
      }
    }
    if (chosen.length === 0 && opts.upsert) {
      const doc: Document = { ...clone(seedFromQuery(q)) };
      applyTo(doc, u, true);
      if (doc._id === undefined) doc._id = new ObjectId();
      checkUnique(c, doc, ns);
      c.docs.push(doc);
      return { n: 1, modified: 0, upserted: doc, before: [], after: [doc] };
    }
    return { n: chosen.length, modified: chosen.length, upserted: undefined, before, after: chosen };
  }

  function run(cmd: Document, sequences: Record<string, Document[]>): Document {
    const name = Object.keys(cmd)[0]!;
    const lower = name.toLowerCase();
    commands.set(lower, (commands.get(lower) ?? 0) + 1);
    const db = String(cmd.$db ?? 'admin');
    const ns = (c: string) => `${db}.${c}`;
    switch (lower) {
      case 'hello':
      case 'ismaster':
        return {
          helloOk: true,
          ismaster: true,
          isWritablePrimary: true,
          maxBsonObjectSize: 16 * 1024 * 1024,
          maxMessageSizeBytes: 48_000_000,
          maxWriteBatchSize: 100_000,
          localTime: new Date(),
          logicalSessionTimeoutMinutes: 30,
          connectionId: connections,
          minWireVersion: 0,
          maxWireVersion: 21,
          readOnly: false,
          ok: 1,
        };
      case 'ping':
      case 'endsessions':
      case 'killcursors':
      case 'killallsessions':
        return { ok: 1, ...(lower === 'killcursors' ? { cursorsKilled: [], cursorsNotFound: [], cursorsAlive: [], cursorsUnknown: [] } : {}) };
      case 'buildinfo':
        return { version: '7.0.0-kursus-test', versionArray: [7, 0, 0, 0], maxBsonObjectSize: 16 * 1024 * 1024, ok: 1 };
      case 'getparameter':
        return { ok: 1 };
      case 'listcollections':
        return { cursor: { id: Long.ZERO, ns: ns('$cmd.listCollections'), firstBatch: [...(dbs.get(db)?.keys() ?? [])].map((n) => ({ name: n, type: 'collection' })) }, ok: 1 };
      case 'drop':
        dbs.get(db)?.delete(String(cmd[name]));
        return { ok: 1 };
      case 'dropdatabase':
        dbs.delete(db);
        return { ok: 1 };
      case 'createindexes': {
        const c = coll(db, String(cmd[name]));
        for (const spec of (cmd.indexes as Document[]) ?? []) {
          if (c.indexes.some((i) => i.name === spec.name)) continue;
          const idx: IndexSpec = { name: String(spec.name), key: spec.key as Record<string, number>, unique: spec.unique === true, partialFilterExpression: spec.partialFilterExpression as Document | undefined };
          c.indexes.push(idx);
          // A unique index over existing duplicates fails as on a real server.
          for (const d of c.docs) checkUnique(c, d, ns(String(cmd[name])));
        }
        return { createdCollectionAutomatically: false, numIndexesBefore: 1, numIndexesAfter: c.indexes.length, ok: 1 };
      }
      case 'listindexes': {
        const c = coll(db, String(cmd[name]));
        return { cursor: { id: Long.ZERO, ns: ns(String(cmd[name])), firstBatch: c.indexes.map((i) => ({ v: 2, key: i.key, name: i.name, ...(i.unique ? { unique: true } : {}) })) }, ok: 1 };
      }
      case 'insert': {
        const c = coll(db, String(cmd[name]));
        const docs = (cmd.documents as Document[] | undefined) ?? sequences.documents ?? [];
        let n = 0;
        const writeErrors: Document[] = [];
        docs.forEach((d, index) => {
          const doc = clone(d);
          if (doc._id === undefined) doc._id = new ObjectId();
          try {
            checkUnique(c, doc, ns(String(cmd[name])));
            c.docs.push(doc);
            n++;
          } catch (err) {
            if (!(err instanceof CommandError)) throw err;
            writeErrors.push({ index, code: err.code, errmsg: err.message });
          }
        });
        return { n, ...(writeErrors.length ? { writeErrors } : {}), ok: 1 };
      }
      case 'update': {
        const c = coll(db, String(cmd[name]));
        const updates = (cmd.updates as Document[] | undefined) ?? sequences.updates ?? [];
        let n = 0;
        let nModified = 0;
        const upserted: Document[] = [];
        const writeErrors: Document[] = [];
        updates.forEach((s, index) => {
          try {
            const r = writeOne(c, ns(String(cmd[name])), s.q as Document, s.u as Document, { upsert: s.upsert === true, multi: s.multi === true });
            n += r.n;
            nModified += r.modified;
            if (r.upserted) upserted.push({ index, _id: r.upserted._id });
          } catch (err) {
            if (!(err instanceof CommandError)) throw err;
            writeErrors.push({ index, code: err.code, errmsg: err.message });
          }
        });
        return { n, nModified, ...(upserted.length ? { upserted } : {}), ...(writeErrors.length ? { writeErrors } : {}), ok: 1 };
      }
      case 'delete': {
        const c = coll(db, String(cmd[name]));
        const deletes = (cmd.deletes as Document[] | undefined) ?? sequences.deletes ?? [];
        let n = 0;
        for (const s of deletes) {
          const hit = c.docs.filter(matches(s.q as Document));
          const gone = new Set(Number(s.limit) === 1 ? hit.slice(0, 1) : hit);
          c.docs = c.docs.filter((d) => !gone.has(d));
          n += gone.size;
        }
        return { n, ok: 1 };
      }
      case 'findandmodify': {
        const c = coll(db, String(cmd[name]));
        const q = (cmd.query as Document) ?? {};
        if (cmd.remove) {
          const [doc] = sortDocs(c.docs.filter(matches(q)), cmd.sort as Document);
          if (doc) c.docs = c.docs.filter((d) => d !== doc);
          return { lastErrorObject: { n: doc ? 1 : 0 }, value: doc ? clone(doc) : null, ok: 1 };
        }
        const r = writeOne(c, ns(String(cmd[name])), q, (cmd.update as Document) ?? {}, { upsert: cmd.upsert === true, sort: cmd.sort as Document });
        const value = cmd.new ? r.after[0] : r.before[0];
        return {
          lastErrorObject: { n: r.n, updatedExisting: !r.upserted && r.n > 0, ...(r.upserted ? { upserted: r.upserted._id } : {}) },
          value: value ? clone(value) : null,
          ok: 1,
        };
      }
      case 'find': {
        const c = coll(db, String(cmd[name]));
        let docs = sortDocs(c.docs.filter(matches(cmd.filter as Document)), cmd.sort as Document);
        const skip = Number(cmd.skip ?? 0);
        const limit = Math.abs(Number(cmd.limit ?? 0));
        docs = docs.slice(skip, limit ? skip + limit : undefined);
        if (cmd.projection && Object.keys(cmd.projection as Document).length) docs = aggregate(docs, [{ $project: cmd.projection }]) as Document[];
        return { cursor: { id: Long.ZERO, ns: ns(String(cmd[name])), firstBatch: docs.map(clone) }, ok: 1 };
      }
      case 'getmore':
        return { cursor: { id: Long.ZERO, ns: ns(String(cmd.collection)), nextBatch: [] }, ok: 1 };
      case 'aggregate': {
        const c = coll(db, String(cmd[name]));
        const out = aggregate(c.docs, (cmd.pipeline as Document[]) ?? []) as Document[];
        return { cursor: { id: Long.ZERO, ns: ns(String(cmd[name])), firstBatch: out.map(clone) }, ok: 1 };
      }
      case 'count': {
        const c = coll(db, String(cmd[name]));
        return { n: c.docs.filter(matches(cmd.query as Document)).length, ok: 1 };
      }
      case 'distinct': {
        const c = coll(db, String(cmd[name]));
        const seen = new Map<string, unknown>();
        for (const d of c.docs.filter(matches(cmd.query as Document))) {
          const v = get(d, String(cmd.key));
          seen.set(keyOf(v), v);
        }
        return { values: [...seen.values()], ok: 1 };
      }
      default:
        throw new CommandError(59, `no such command: '${name}'`, 'CommandNotFound');
    }
  }

  function answer(cmd: Document, sequences: Record<string, Document[]>): Document {
    try {
      return run(cmd, sequences);
    } catch (err) {
      if (err instanceof CommandError) return { ok: 0, errmsg: err.message, code: err.code, codeName: err.codeName };
      return { ok: 0, errmsg: (err as Error).message, code: 1, codeName: 'InternalError' };
    }
  }

  function onMessage(socket: Socket, msg: Buffer) {
    const requestId = msg.readInt32LE(4);
    const opCode = msg.readInt32LE(12);
    let reply: Buffer;
    if (opCode === OP_MSG) {
      const flags = msg.readUInt32LE(16);
      const end = flags & 1 ? msg.length - 4 : msg.length;
      let pos = 20;
      let body: Document = {};
      const sequences: Record<string, Document[]> = {};
      while (pos < end) {
        const kind = msg[pos]!;
        pos += 1;
        if (kind === 0) {
          const size = msg.readInt32LE(pos);
          body = BSON.deserialize(msg.subarray(pos, pos + size));
          pos += size;
        } else {
          const size = msg.readInt32LE(pos);
          const sectionEnd = pos + size;
          let p = pos + 4;
          const nul = msg.indexOf(0, p);
          const id = msg.toString('utf8', p, nul);
          p = nul + 1;
          const docs: Document[] = [];
          while (p < sectionEnd) {
            const s = msg.readInt32LE(p);
            docs.push(BSON.deserialize(msg.subarray(p, p + s)));
            p += s;
          }
          sequences[id] = docs;
          pos = sectionEnd;
        }
      }
      const doc = BSON.serialize(answer(body, sequences));
      reply = Buffer.alloc(16 + 4 + 1 + doc.length);
      reply.writeInt32LE(reply.length, 0);
      reply.writeInt32LE(requestId + 1_000_000, 4);
      reply.writeInt32LE(requestId, 8);
      reply.writeInt32LE(OP_MSG, 12);
      reply.writeUInt32LE(0, 16);
      reply[20] = 0;
      Buffer.from(doc).copy(reply, 21);
      // moreToCome (flag bit 1) from the client: no reply expected.
      if (flags & 2) return;
    } else if (opCode === OP_QUERY) {
      let pos = 20;
      const nul = msg.indexOf(0, pos);
      const collection = msg.toString('utf8', pos, nul);
      pos = nul + 1 + 8;
      const size = msg.readInt32LE(pos);
      let query = BSON.deserialize(msg.subarray(pos, pos + size));
      if (query.$query) query = query.$query as Document;
      const doc = BSON.serialize(answer({ ...query, $db: collection.split('.')[0] }, {}));
      reply = Buffer.alloc(16 + 20 + doc.length);
      reply.writeInt32LE(reply.length, 0);
      reply.writeInt32LE(requestId + 1_000_000, 4);
      reply.writeInt32LE(requestId, 8);
      reply.writeInt32LE(OP_REPLY, 12);
      reply.writeInt32LE(0, 16);
      reply.writeBigInt64LE(0n, 20);
      reply.writeInt32LE(0, 28);
      reply.writeInt32LE(1, 32);
      Buffer.from(doc).copy(reply, 36);
    } else {
      socket.destroy(new Error(`unsupported opCode ${opCode}`));
      return;
    }
    socket.write(reply);
  }

  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 4) {
        const len = pending.readInt32LE(0);
        if (pending.length < len) break;
        const msg = pending.subarray(0, len);
        pending = pending.subarray(len);
        onMessage(socket, msg);
      }
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as { port: number }).port;
  return {
    url: `mongodb://127.0.0.1:${port}/kursus-test?directConnection=true`,
    commands,
    close: () =>
      new Promise<void>((res) => {
        for (const s of sockets) s.destroy();
        server.close(() => res());
      }),
  };
}
