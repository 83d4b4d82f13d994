import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../config/schema.js';
import { actionForCall, defaultSummary, mappingFromAnnotations } from './mapping.js';

const server = (extra: Partial<ServerConfig> = {}): ServerConfig => ({ command: 'x', args: [], tools: {}, default: {}, trustAnnotations: true, ...extra });
const origin = { clientName: 'claude-ai', clientVersion: '0.1.0' };

describe('mapping a tool call to an action request', () => {
  it('takes readOnlyHint as READ, destructiveHint as DELETE, and openWorldHint as an external destination', () => {
    expect(mappingFromAnnotations('files', { name: 'read', annotations: { readOnlyHint: true } })).toEqual({ operation: 'READ' });
    expect(mappingFromAnnotations('files', { name: 'rm', annotations: { readOnlyHint: false, destructiveHint: true } })).toEqual({ operation: 'DELETE' });
    expect(mappingFromAnnotations('web', { name: 'post', annotations: { openWorldHint: true } })).toEqual({ destination: { system: 'web', external: true } });
  });

  it('reads an explicit non-destructive write as WRITE, and no hints as nothing', () => {
    expect(mappingFromAnnotations('files', { name: 'mkdir', annotations: { readOnlyHint: false, destructiveHint: false } })).toEqual({ operation: 'WRITE' });
    expect(mappingFromAnnotations('files', { name: 'x' })).toEqual({});
  });

  it('uses the config over the annotations, and the annotations over the server default', () => {
    const config = server({ tools: { write_file: { type: 'files.write', operation: 'WRITE', dataClassification: 'CONFIDENTIAL' } }, default: { operation: 'EXECUTE', dataClassification: 'INTERNAL' } });
    const write = actionForCall('files', config, { name: 'write_file', annotations: { destructiveHint: true } }, { path: '/a' }, origin);
    expect(write).toMatchObject({ type: 'files.write', operation: 'WRITE', dataClassification: 'CONFIDENTIAL' });
    const read = actionForCall('files', config, { name: 'read_file', annotations: { readOnlyHint: true } }, { path: '/a' }, origin);
    expect(read).toMatchObject({ type: 'files.read_file', operation: 'READ', dataClassification: 'INTERNAL' });
    const other = actionForCall('files', config, { name: 'zip' }, {}, origin);
    expect(other).toMatchObject({ type: 'files.zip', operation: 'EXECUTE' });
  });

  it('ignores the annotations of a server that is not trusted with them', () => {
    const action = actionForCall('files', server({ trustAnnotations: false }), { name: 'rm', annotations: { readOnlyHint: true } }, {}, origin);
    expect(action.operation).toBe('EXECUTE');
  });

  it('sends the arguments as the payload and names server, tool and client in the context', () => {
    const action = actionForCall('files', server(), { name: 'write_file' }, { path: '/a', content: 'x' }, origin);
    expect(action.payload).toEqual({ path: '/a', content: 'x' });
    expect(action.context).toEqual({ mcp: { server: 'files', tool: 'write_file', client: 'claude-ai', clientVersion: '0.1.0' } });
  });

  it('writes a summary an approver can read in a queue line, cut to 200 characters', () => {
    expect(defaultSummary('files', { name: 'write_file' }, { path: '/a' })).toBe('files: write_file {"path":"/a"}');
    expect(defaultSummary('files', { name: 'list', title: 'List files' }, {})).toBe('files: list');
    const long = defaultSummary('files', { name: 'write_file' }, { content: 'x'.repeat(1000) });
    expect(long).toHaveLength(200);
    expect(long.endsWith('…')).toBe(true);
  });
});
