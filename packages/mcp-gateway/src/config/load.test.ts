import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './load.js';

function problems(text: string, env: NodeJS.ProcessEnv = {}): readonly string[] {
  try {
    parseConfig(text, 'gateway.yaml', env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the config was accepted');
}

const DESIGN_EXAMPLE = `countersign: { url: http://127.0.0.1:4000/graphql }
servers:
  files:
    command: npx                      # stdio upstream; or url: https://… (Streamable HTTP)
    args: [-y, "@modelcontextprotocol/server-filesystem", /srv/shared]
    tools:
      write_file: { type: files.write, operation: WRITE, dataClassification: CONFIDENTIAL }
    default: { operation: EXECUTE }   # unlisted tools; type defaults to <server>.<tool>
`;

describe('gateway config', () => {
  it('accepts the DESIGN §13 example, with the default wait limit of 10 minutes', () => {
    const config = parseConfig(DESIGN_EXAMPLE, 'gateway.yaml', {});
    expect(config.approvalTimeout).toBe(600_000);
    expect(config.servers.files).toMatchObject({ command: 'npx', tools: { write_file: { type: 'files.write', operation: 'WRITE' } }, default: { operation: 'EXECUTE' }, trustAnnotations: true });
  });

  it('names the file, line and column of an unknown key', () => {
    expect(problems('servers:\n  files:\n    command: x\n    tolls: {}\n')).toEqual(['gateway.yaml:4:5: servers.files: unknown key "tolls"']);
  });

  it('names the line of a bad value deep in a tool mapping', () => {
    expect(problems('servers:\n  files:\n    command: x\n    tools:\n      write_file: { operation: WRIT }\n')[0]).toMatch(/^gateway\.yaml:5:32: servers\.files\.tools\.write_file\.operation: /);
  });

  it('refuses a server with both a command and a url, and one with neither', () => {
    expect(problems('servers:\n  a: { command: x, url: "http://h/mcp" }\n  b: { args: [] }\n')).toEqual([
      expect.stringMatching(/^gateway\.yaml:2:6: servers\.a: give either `command`/),
      expect.stringMatching(/^gateway\.yaml:3:6: servers\.b: give either `command`/),
    ]);
  });

  it('refuses a server name that would make tool names ambiguous', () => {
    expect(problems('servers:\n  my__files: { command: x }\n')).toEqual([expect.stringMatching(/^gateway\.yaml:2:3: servers\.my__files: invalid name: must not contain "__"/)]);
  });

  it('refuses a duration it cannot read', () => {
    expect(problems('approvalTimeout: soon\nservers: { a: { command: x } }\n')).toEqual([expect.stringMatching(/^gateway\.yaml:1:18: approvalTimeout: "soon" is not a duration/)]);
  });

  it('reads durations as the governance document does', () => {
    expect(parseConfig('approvalTimeout: 90\nprogressInterval: 2s\nservers: { a: { command: x } }\n', 'g', {})).toMatchObject({ approvalTimeout: 90_000, progressInterval: 2_000 });
  });

  it('reports YAML syntax errors with their position', () => {
    expect(problems('servers:\n  a: { command: x\n')[0]).toMatch(/^gateway\.yaml:\d+:\d+: /);
  });

  it('requires at least one server', () => {
    expect(problems('servers: {}\n')).toEqual([expect.stringMatching(/^gateway\.yaml:1:10: servers: name at least one server/)]);
  });

  it('expands ${VAR} in upstream env and headers', () => {
    const config = parseConfig(
      'servers:\n  gh: { url: "https://mcp.example.com/mcp", headers: { Authorization: "Bearer ${GH_TOKEN}" } }\n  fs: { command: x, env: { ROOT: "${HOME}/data" } }\n',
      'g',
      { GH_TOKEN: 'secret', HOME: '/home/me' },
    );
    expect(config.servers.gh!.headers).toEqual({ Authorization: 'Bearer secret' });
    expect(config.servers.fs!.env).toEqual({ ROOT: '/home/me/data' });
  });

  it('names an unset environment variable and where it is used', () => {
    expect(problems('servers:\n  gh:\n    url: "https://mcp.example.com/mcp"\n    headers: { Authorization: "Bearer ${GH_TOKEN}" }\n')).toEqual([
      'gateway.yaml:4:31: environment variable GH_TOKEN is not set (used in headers)',
    ]);
  });

  it('leaves ${VAR} alone outside env and headers', () => {
    expect(parseConfig('servers: { a: { command: x, args: ["${NOT_EXPANDED}"] } }\n', 'g', {}).servers.a!.args).toEqual(['${NOT_EXPANDED}']);
  });
});
