// A stream that collects the lines written to it (a logger's destination in tests).
import { Writable } from 'node:stream';

export function logSink() {
  const lines: string[] = [];
  let buffered = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      lines.push(...parts.filter(Boolean));
      done();
    },
  });
  return { stream, lines };
}
