import { describe, expect, it } from 'vitest';
import { ConnectionException, DriverException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { GraphQLError } from 'graphql';
import { isDatabaseUnavailable } from './faults.js';

const pgError = (code: string, message = 'error') => Object.assign(new Error(message), { code, severity: 'FATAL' });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a reset connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['a connection cut mid-query', new Error('Connection terminated unexpectedly')],
    ['a connection that stopped answering', new Error('Query read timeout')],
    ['a connect that timed out', new Error('timeout expired')],
    ['an administrator shutdown (57P01)', pgError('57P01', 'terminating connection due to administrator command')],
    ['a database starting up (57P03)', pgError('57P03')],
    ['a statement timeout (57014)', pgError('57014', 'canceling statement due to statement timeout')],
    ['too many connections (53300)', pgError('53300')],
    ['a connection exception class 08', pgError('08006')],
    ['no pooled connection in time', Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' })],
    ["MikroORM's ConnectionException", new ConnectionException(new Error('x'))],
    ['a driver error wrapped by GraphQL', new GraphQLError('x', { originalError: new DriverException(pgError('57P01')) })],
  ])('is true for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', new UniqueConstraintViolationException(pgError('23505', 'duplicate key'))],
    ['a check violation', pgError('23514')],
    ['a bug', new TypeError('x is not a function')],
    ['nothing', undefined],
  ])('is false for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
