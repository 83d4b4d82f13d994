import { ClientError } from 'graphql-request';
import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../errors.js';
import { fromServerErrors, toCliError } from './errors.js';

const URL = 'http://127.0.0.1:4000/graphql';

function clientError(status: number, errors?: Array<{ message: string; extensions?: Record<string, unknown> }>): ClientError {
  return new ClientError({ status, headers: new Headers(), body: '', errors: errors as never }, { query: '{ me { name } }' });
}

describe('fromServerErrors', () => {
  it.each([
    ['UNAUTHENTICATED', ExitCode.UNAUTHENTICATED],
    ['FORBIDDEN', ExitCode.FORBIDDEN],
    ['BAD_USER_INPUT', ExitCode.INVALID],
    ['NOT_FOUND', ExitCode.NOT_FOUND],
    ['CONFLICT', ExitCode.CONFLICT],
    ['RATE_LIMITED', ExitCode.RATE_LIMITED],
    ['UNAVAILABLE', ExitCode.UNAVAILABLE],
  ])('should map %s to its own exit code', (code, exitCode) => {
    expect(fromServerErrors([{ message: 'x', extensions: { code } }], URL).exitCode).toBe(exitCode);
  });

  it('should make one line of a multi-line message, naming the field and counting the rest', () => {
    const error = fromServerErrors(
      [
        { message: 'The document is invalid:\n  routes[0].chain: no chain "x"', extensions: { code: 'BAD_USER_INPUT', field: 'document' } },
        { message: 'second' },
      ],
      URL,
    );
    expect(error.message).toBe('The document is invalid: routes[0].chain: no chain "x" [document] (and 1 more error)');
  });

  it('should tell how to log in on UNAUTHENTICATED', () => {
    expect(fromServerErrors([{ message: 'A valid bearer token is required.', extensions: { code: 'UNAUTHENTICATED' } }], URL).message).toMatch(/countersign login/);
  });

  it('should explain a schema mismatch rather than echo it', () => {
    const error = fromServerErrors([{ message: 'Cannot query field "x"', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }], URL);
    expect(error.exitCode).toBe(ExitCode.ERROR);
    expect(error.message).toMatch(/does not understand this request/);
  });
});

describe('toCliError', () => {
  it('should map GraphQL errors inside a ClientError', () => {
    expect(toCliError(clientError(200, [{ message: 'no', extensions: { code: 'FORBIDDEN' } }]), URL).exitCode).toBe(ExitCode.FORBIDDEN);
  });

  it('should map bare HTTP failures by status', () => {
    expect(toCliError(clientError(401), URL).exitCode).toBe(ExitCode.UNAUTHENTICATED);
    expect(toCliError(clientError(503), URL).exitCode).toBe(ExitCode.UNAVAILABLE);
    // A bare 404 is a URL with nothing behind it, not a missing request (exit 6).
    expect(toCliError(clientError(404), URL)).toMatchObject({ exitCode: ExitCode.UNAVAILABLE, message: expect.stringMatching(/no Countersign GraphQL endpoint at that path/) });
  });

  it('should name the URL when the server cannot be reached', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const error = toCliError(refused, URL);
    expect(error).toBeInstanceOf(CliError);
    expect(error.exitCode).toBe(ExitCode.UNAVAILABLE);
    expect(error.message).toBe(`Cannot reach ${URL}: connection refused (is the server running?).`);
  });

  it('should let programming errors through untouched', () => {
    const bug = new RangeError('oops');
    expect(() => toCliError(bug, URL)).toThrow(bug);
  });
});
