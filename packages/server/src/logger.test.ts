import { describe, expect, it } from 'vitest';
import { DriverException } from '@mikro-orm/core';
import { Writable } from 'node:stream';
import { createLogger, serializeError } from './logger.js';

const MARKER = 'payload-marker-7f3a';

describe('serializeError', () => {
  it('keeps the message and code of a MikroORM driver error but not the statement with its values', () => {
    // As knex and MikroORM's exception converter leave it: the statement first, the detail last.
    const pgError = Object.assign(new Error(`insert into "agent" ("name") values ('${MARKER} - x') - new row violates check constraint "no_marker"\n - detail: Failing row contains (${MARKER}).`), {
      code: '23514',
      severity: 'ERROR',
      constraint: 'no_marker',
      detail: `Failing row contains (${MARKER}).`,
      where: `JSON data, line 1: ${MARKER}`,
    });
    const error = Object.assign(new DriverException(pgError), { sql: `insert into "agent" ("name") values ('${MARKER}')`, params: [MARKER] });
    const logged = JSON.stringify(serializeError(error));
    expect(logged).not.toContain(MARKER);
    expect(serializeError(error)).toMatchObject({ message: 'new row violates check constraint "no_marker"', code: '23514', constraint: 'no_marker' });
  });

  it('drops a quoted input value at the end of a driver message', () => {
    const error = Object.assign(new Error(`invalid input syntax for type uuid: "${MARKER}"`), { code: '22P02', severity: 'ERROR' });
    expect(JSON.stringify(serializeError(error))).not.toContain(MARKER);
    expect(serializeError(error)).toMatchObject({ code: '22P02', message: 'invalid input syntax for type uuid: [value]' });
  });

  it('drops a quoted value that itself holds quotes, and keeps a huge statement out in one pass', () => {
    const nested = Object.assign(new Error(`invalid input syntax for type uuid: "x: "${MARKER}"`), { code: '22P02' });
    expect(JSON.stringify(serializeError(nested))).not.toContain(MARKER);
    const huge = Object.assign(new Error(`insert into "t" values ('${` - ${MARKER}: "`.repeat(50_000)}') - value too long for type character varying(10)`), { code: '22001' });
    expect(serializeError(huge)).toMatchObject({ message: 'value too long for type character varying(10)' });
  });

  it('cleans a wrapper that repeats its driver error message, and the cause too', () => {
    const cause = Object.assign(new Error(`select '${MARKER}' - canceling statement due to statement timeout`), { code: '57014', sql: `select '${MARKER}'` });
    const wrapper = Object.assign(new Error(cause.message), { originalError: cause });
    const logged = JSON.stringify(serializeError(wrapper));
    expect(logged).not.toContain(MARKER);
    expect(logged).toContain('canceling statement due to statement timeout');
  });

  it('leaves other errors as they are, with their stack frames', () => {
    const serialized = serializeError(new TypeError('x is not a function')) as { message: string; stack: string };
    expect(serialized.message).toBe('x is not a function');
    expect(serialized.stack).toMatch(/^TypeError: x is not a function\n\s+at /);
  });
});

describe('createLogger', () => {
  it('redacts the single sign-on client secret wherever a config is logged', () => {
    let written = '';
    const sink = new Writable({ write: (chunk, _encoding, done) => ((written += String(chunk)), done()) });
    const logger = createLogger('info', sink);
    logger.info({ config: { oidc: { issuer: 'https://id.example.com', clientId: 'cs', clientSecret: MARKER } } }, 'config');
    logger.info({ oidc: { clientSecret: MARKER } }, 'oidc');
    expect(written).toContain('https://id.example.com');
    expect(written).not.toContain(MARKER);
  });
});
