// DESIGN §9, MCP gateway: an AUTO tool call through `countersign-mcp` against the same call
// straight to the upstream server plus one bare `submitAction`, in the same run. An MCP
// client (the official SDK's) calls the filesystem server's `read_text_file` over stdio,
// once directly and once through the gateway (its own process, stdio on both sides, as a
// desktop client runs it); the bare submission is the SDK's `submit` of the very request the
// gateway submits for that call (AUTO). The
// three are called in turn, call by call, one call at a time with a 100 ms pause after each: a
// model's tool calls come seconds apart, so each call meets a server that has finished the
// previous call's outcome report (which the gateway sends after answering), as the bare
// submission does; and no call waits for an agent's rate-limit token.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createClient } from '@countersign/sdk';
import { ROOT } from '../lib/proc.mjs';
import { createDatabase } from '../lib/db.mjs';
import { startCountersign, applyGovernance, createAgents } from '../lib/stack.mjs';
import { gql } from '../lib/graphql.mjs';
import { median, percentile } from '../lib/stats.mjs';

const require = createRequire(import.meta.url);
const FILESYSTEM_SERVER = path.join(path.dirname(require.resolve('@modelcontextprotocol/server-filesystem/package.json')), 'dist/index.js');
const GATEWAY_BIN = path.join(ROOT, 'packages/mcp-gateway/dist/bin.js');
/** The pause after each call is 1/PACE_PER_SECOND s. */
const PACE_PER_SECOND = 10;
const BOUND = 1.3;

async function connect(command, args, env) {
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command, args, env: { PATH: process.env.PATH ?? '', ...env }, stderr: 'ignore' }));
  return client;
}

/** `count` turns of one call of each system, with a pause of 1/PACE_PER_SECOND s after each call; each system's latencies in ms. */
async function measure(count, systems) {
  const latencies = Object.fromEntries(Object.keys(systems).map((name) => [name, []]));
  const gap = 1000 / PACE_PER_SECOND;
  for (let i = 0; i < count; i++) {
    // Interleaved call by call, so that the box's drift hits every system alike.
    for (const [name, call] of Object.entries(systems)) {
      const started = performance.now();
      await call();
      const took = performance.now() - started;
      latencies[name].push(took);
      // A whole pause after every call, however long it took: the gateway's outcome report
      // (sent after its answer) must not land on the next system's call.
      await new Promise((resolve) => setTimeout(resolve, gap));
    }
  }
  return latencies;
}

export async function run({ quick, log }) {
  const rounds = quick ? 2 : 3;
  const calls = quick ? 60 : 200;
  const warmup = quick ? 20 : 50;
  const db = await createDatabase('mcp');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-mcp-'));
  const closers = [];
  let server;
  try {
    server = await startCountersign('mcp', db);
    await applyGovernance(server.url);
    const [gatewayAgent, bareAgent] = await createAgents(server.url, 'mcp-agent', 2);

    const data = path.join(dir, 'data');
    fs.mkdirSync(data);
    const file = path.join(data, 'prices.txt');
    fs.writeFileSync(file, 'apples 3 EUR\npears 4 EUR\n');
    const configFile = path.join(dir, 'gateway.yaml');
    fs.writeFileSync(configFile, `countersign: { url: ${server.url} }\nservers:\n  files:\n    command: ${process.execPath}\n    args: [${JSON.stringify(FILESYSTEM_SERVER)}, ${JSON.stringify(data)}]\n`);

    const direct = await connect(process.execPath, [FILESYSTEM_SERVER, data], {});
    closers.push(() => direct.close());
    const gateway = await connect(process.execPath, [GATEWAY_BIN, '--config', configFile], { COUNTERSIGN_API_KEY: gatewayAgent.apiKey });
    closers.push(() => gateway.close());
    const bare = createClient({ url: server.url, apiKey: bareAgent.apiKey });
    closers.push(() => bare.dispose());

    // The bare submission asks exactly what the gateway asks for each call.
    const sameRequest = {
      type: 'files.read_text_file',
      operation: 'READ',
      summary: `files: read_text_file ${JSON.stringify({ path: file })}`,
      payload: { path: file },
      context: { mcp: { server: 'files', tool: 'read_text_file', client: 'bench', clientVersion: '1.0.0' } },
    };
    const expect = (result, via) => {
      const text = result.content?.[0]?.text ?? '';
      if (result.isError || !text.includes('apples 3 EUR')) throw new Error(`${via}: unexpected result ${JSON.stringify(result).slice(0, 300)}`);
    };
    const systems = {
      direct: async () => expect(await direct.callTool({ name: 'read_text_file', arguments: { path: file } }), 'direct'),
      submit: async () => {
        const action = await bare.submit(sameRequest);
        if (action.mode !== 'AUTO' || action.status !== 'APPROVED') throw new Error(`bare submitAction landed on ${action.mode}/${action.status}`);
      },
      gateway: async () => expect(await gateway.callTool({ name: 'files__read_text_file', arguments: { path: file } }), 'gateway'),
    };
    log(`warm-up: ${warmup} calls of each`);
    await measure(warmup, systems);
    const runs = { direct: [], submit: [], gateway: [] };
    for (let round = 1; round <= rounds; round++) {
      const latencies = await measure(calls, systems);
      for (const name of Object.keys(systems)) {
        const r = { p50: percentile(latencies[name], 50), p99: percentile(latencies[name], 99) };
        runs[name].push(r);
        log(`round ${round} ${name}: p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms over ${calls} calls`);
      }
    }

    // The gateway's calls must have been governed as AUTO (not let through some other way).
    const { myActions } = await gql(server.url, '{ myActions(first: 1) { totalCount nodes { type mode status } } }', {}, gatewayAgent.apiKey);
    const expected = warmup + rounds * calls;
    if (myActions.totalCount !== expected || myActions.nodes[0]?.mode !== 'AUTO') {
      throw new Error(`the gateway's agent has ${myActions.totalCount} requests (expected ${expected}), the last ${JSON.stringify(myActions.nodes[0])}`);
    }

    const m = (name, key) => median(runs[name].map((r) => r[key]));
    const baseline = m('direct', 'p50') + m('submit', 'p50');
    const measured = m('gateway', 'p50');
    const ratio = measured / baseline;
    return {
      rows: [
        {
          id: 'mcp.auto',
          target: 'MCP gateway: AUTO tool call, p50',
          measured,
          unit: 'ms',
          baseline,
          baselineLabel: 'the call straight to the upstream + one bare submitAction',
          ratio,
          bound: `≤ ${BOUND} × baseline`,
          pass: ratio <= BOUND,
          note:
            `filesystem read_text_file over stdio, ${rounds} rounds × ${calls} calls of each system in turn, one at a time with a ${1000 / PACE_PER_SECOND} ms pause after each, median of round p50s; ` +
            `direct p50 ${m('direct', 'p50').toFixed(2)} ms, bare submitAction p50 ${m('submit', 'p50').toFixed(2)} ms; ` +
            `p99: gateway ${m('gateway', 'p99').toFixed(2)} ms, direct ${m('direct', 'p99').toFixed(2)} ms, submitAction ${m('submit', 'p99').toFixed(2)} ms`,
        },
      ],
      details: { runs },
    };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
    await server?.stop();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
