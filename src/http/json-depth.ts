// A JSON body's nesting depth, measured on the raw text in one pass before it is parsed: parsers
// and everything after them (proto scans, variable coercion, logging) recurse once per level, and
// 5,000 levels in a few KB overflowed the stack (an answer of 500 instead of 400).
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** A JSON body's text as received ('' for other bodies). */
    jsonText: string;
  }
}

/** Deepest nesting of objects and arrays in `text`, stopping early past `limit`. */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

export class JsonTooDeepError extends Error {
  readonly statusCode = 400;
  readonly code = 'FST_ERR_CTP_INVALID_JSON_BODY';
  constructor(limit: number) {
    super(`the request body is nested more than ${limit} levels deep`);
  }
}

/** Replaces the scope's JSON parser with one that refuses bodies nested deeper than `maxDepth`. */
export function limitJsonDepth(app: FastifyInstance, maxDepth: number): void {
  const json = app.getDefaultJsonParser('error', 'error');
  // The text as received, kept on the request: the GraphQL answer replay keys on it (answer-replay.ts).
  if (!app.hasRequestDecorator('jsonText')) app.decorateRequest('jsonText', '');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonDepth(body as string, maxDepth) > maxDepth) return done(new JsonTooDeepError(maxDepth), undefined);
    request.jsonText = body as string;
    json(request, body as string, done);
  });
}
