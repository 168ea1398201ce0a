import { GraphQLError, locatedError } from 'graphql';
import { formatError } from '../../src/graphql/errors.js';

describe('GraphQL error mapping', () => {
  const format = (err: unknown) => formatError({ message: String((err as Error)?.message ?? err) }, err).extensions?.code;

  it('answers a database that cannot be reached as SERVICE_UNAVAILABLE, also when the driver rejects with a plain object', () => {
    // mysql2 rejects a pool connection it cannot open with a plain object; graphql-js wraps it.
    const plain = { errno: -111, code: 'ECONNREFUSED', syscall: 'connect', fatal: true };
    expect(format(locatedError(plain, undefined, ['reserveSeats']))).toBe('SERVICE_UNAVAILABLE');
    expect(format(locatedError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), undefined, ['checkout']))).toBe('SERVICE_UNAVAILABLE');
  });

  it('keeps anything else internal, without its message', () => {
    const err = locatedError({ code: 'ER_DUP_ENTRY', sqlMessage: 'Duplicate entry' }, undefined, ['reserveSeats']);
    const out = formatError({ message: err.message }, err);
    expect(out.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(out.message).toBe('Internal server error');
    expect(format(new GraphQLError('x'))).toBe('INTERNAL_SERVER_ERROR');
  });
});
