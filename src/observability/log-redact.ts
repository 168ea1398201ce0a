// What no log line may show: credentials and the personal data a booking carries. The app's
// loggers pass every line's fields (the mixin's included) and every serialized error through
// redactLogFields, as pino's `formatters.log` and `err` serializer (logRedaction below).
//
// Not pino's `redact` option: with wildcard paths (`*.email`) pino runs its redactor once for
// every field of every line, number and string fields included, and that redactor parses each
// path again on each call: 7 µs of a reservation's 16 µs `seats reserved` line (docs/benchmarks.md,
// "The twelfth pass"). This walks the fields once, copies only what it censors, and reaches
// further: a secret name is censored at the top level and down to MAX_DEPTH levels of plain
// objects and arrays, where the paths reached only the second level.
import { pino, type LoggerOptions } from 'pino';
import { SECRET_HEADERS } from '../connectors/http-log/redact.js';

export const LOG_CENSOR = '[redacted]';

/** Field names whose values never reach a log line, at any level: credentials and personal data, and every credential header. */
export const SECRET_LOG_FIELDS: ReadonlySet<string> = new Set(['password', 'token', 'orderToken', 'email', 'phone', ...SECRET_HEADERS]);

/** Levels below a line's own fields that are searched (`{ a: { b: { c: { email } } } }` is the deepest). */
const MAX_DEPTH = 3;

/**
 * The fields with every secret one censored: `fields` itself when there is none (the usual case,
 * no copy), else a copy; never changes what the caller passed. Nested values are searched when
 * they are plain objects or arrays only: class instances (a request, an Error, a Buffer) are shown
 * by their serializers, and the serialized error comes back here through logRedaction's `err`.
 */
export function redactLogFields<T extends object>(fields: T): T {
  return censorFields(fields as Record<string, unknown>, 0) as T;
}

function censorFields(fields: Record<string, unknown>, depth: number): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (value === null || value === undefined) continue;
    let shown: unknown = value;
    if (SECRET_LOG_FIELDS.has(key)) shown = LOG_CENSOR;
    else if (typeof value === 'object' && depth < MAX_DEPTH) shown = censorNested(value as object, depth + 1);
    if (shown !== value) {
      copy ??= { ...fields };
      copy[key] = shown;
    }
  }
  return copy ?? fields;
}

function censorNested(value: object, depth: number): unknown {
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === null || typeof item !== 'object') continue;
      const shown = censorNested(item, depth);
      if (shown !== item) {
        copy ??= value.slice();
        copy[i] = shown;
      }
    }
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  return censorFields(value as Record<string, unknown>, depth);
}

/** pino options for a logger whose lines are redacted (the app's, and main.ts's before the app exists). */
export const logRedaction = {
  formatters: { log: redactLogFields },
  serializers: { err: (err: Error) => redactLogFields(pino.stdSerializers.err(err)) },
} satisfies LoggerOptions;
