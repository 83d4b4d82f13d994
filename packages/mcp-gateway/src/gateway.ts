import { createClient, type Client as CountersignClient } from '@countersign/sdk';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
  type ServerNotification,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { LoadedConfig } from './config/load.js';
import { createCallGovernor } from './governance/call.js';
import { actionForCall } from './governance/mapping.js';
import { checkLock, heldToolWarning, lockPathFor, readLock } from './lock/lock.js';
import { connectUpstream, type Upstream } from './upstream/upstream.js';
import { GATEWAY_NAME, GATEWAY_VERSION } from './version.js';

/** Separates the server's name from the tool's in the names the client sees. */
export const NAME_SEPARATOR = '__';

export interface GatewayOptions {
  loaded: LoadedConfig;
  /** The Countersign client (one agent); by default one made from the config and COUNTERSIGN_API_KEY. */
  countersign?: CountersignClient;
  /** Where warnings go (never stdout, which carries the protocol over stdio). */
  log?: (message: string) => void;
  /** Whether to honour `gateway.lock` (the `lock` command itself does not). */
  useLock?: boolean;
  /** Where COUNTERSIGN_URL and COUNTERSIGN_API_KEY are read. @default process.env */
  env?: NodeJS.ProcessEnv;
}

interface CatalogEntry {
  upstream: Upstream;
  tool: Tool;
}

/**
 * The gateway: connected upstreams, their tools under `<server>__<tool>` (less those the
 * lock holds back), and a factory of MCP servers, one per client connection, that list
 * those tools and govern their calls, and pass resources and prompts through.
 */
export interface Gateway {
  upstreams: readonly Upstream[];
  /** Lists every upstream's tools again and applies the lock; returns the exposed ones. */
  refreshTools(): Promise<Map<string, CatalogEntry>>;
  /** Every upstream tool, exposed or not, by its exposed name (what `lock` writes). */
  allTools(): Promise<{ exposedName: string; definition: Tool }[]>;
  /** A new MCP server for one client connection. */
  createServer(): Server;
  close(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { loaded, useLock = true, env = process.env } = options;
  const { config, file } = loaded;
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const servers = new Set<Server>();
  const lockFile = lockPathFor(file);
  const warned = new Set<string>();

  const forward = (_upstream: string, notification: ServerNotification) => {
    if (notification.method === 'notifications/tools/list_changed') {
      // A tool may have changed under us: list again so the lock is checked before any call.
      refreshTools().catch((error: unknown) => log(`countersign-mcp: could not list tools again: ${(error as Error).message}`));
    }
    for (const server of servers) server.notification(notification).catch(() => {});
  };

  const upstreams: Upstream[] = [];
  try {
    for (const [name, serverConfig] of Object.entries(config.servers)) {
      upstreams.push(await connectUpstream(name, serverConfig, { onNotification: forward }));
    }
  } catch (error) {
    await Promise.allSettled(upstreams.map((upstream) => upstream.close()));
    throw error;
  }

  let countersign = options.countersign;
  const ownsClient = !countersign;
  const governor = () => {
    countersign ??= createClient({ url: config.countersign.url ?? env.COUNTERSIGN_URL, apiKey: env.COUNTERSIGN_API_KEY, logger: quietLogger(log) });
    return countersign;
  };
  let calls: ReturnType<typeof createCallGovernor> | undefined;
  const callGovernor = () =>
    (calls ??= createCallGovernor({ countersign: governor(), approvalTimeoutMs: config.approvalTimeout, progressIntervalMs: config.progressInterval, log }));

  let catalog = new Map<string, CatalogEntry>();

  async function allTools() {
    const lists = await Promise.all(upstreams.map(async (upstream) => ({ upstream, tools: await upstream.listTools() })));
    return lists.flatMap(({ upstream, tools }) => tools.map((tool) => ({ exposedName: `${upstream.name}${NAME_SEPARATOR}${tool.name}`, definition: tool, upstream })));
  }

  async function refreshTools(): Promise<Map<string, CatalogEntry>> {
    const tools = await allTools();
    const lock = useLock ? readLock(lockFile) : undefined;
    const verdict = checkLock(lock, tools);
    for (const held of verdict.held) {
      const key = `${held.name}\u0000${held.why}`;
      if (warned.has(key)) continue;
      warned.add(key);
      log(heldToolWarning(held, lockFile, file));
    }
    const next = new Map<string, CatalogEntry>();
    for (const { exposedName, definition, upstream } of tools) {
      if (verdict.allowed.has(exposedName)) next.set(exposedName, { upstream, tool: definition });
    }
    catalog = next;
    return next;
  }
  await refreshTools();

  function createServer(): Server {
    const server = new Server(
      { name: GATEWAY_NAME, version: GATEWAY_VERSION },
      { capabilities: { tools: { listChanged: true }, resources: { listChanged: true }, prompts: { listChanged: true } } },
    );
    servers.add(server);
    server.onclose = () => servers.delete(server);

    server.setRequestHandler(ListToolsRequestSchema, async () => {
      const tools = await refreshTools();
      return { tools: [...tools].map(([exposedName, { tool }]) => ({ ...tool, name: exposedName })) };
    });

    server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      const name = request.params.name;
      const entry = catalog.get(name) ?? (await refreshTools()).get(name);
      if (!entry) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
      const args = request.params.arguments ?? {};
      const client = server.getClientVersion();
      const action = actionForCall(entry.upstream.name, entry.upstream.config, entry.tool, args, { clientName: client?.name, clientVersion: client?.version });
      const progressToken = request.params._meta?.progressToken;
      return callGovernor().call({
        tool: name,
        action,
        signal: extra.signal,
        progress:
          progressToken === undefined
            ? undefined
            : (progress, message) => extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, message } }),
        run: (approvedArgs, signal) =>
          entry.upstream.client.callTool({ name: entry.tool.name, arguments: approvedArgs }, undefined, {
            signal,
            // The upstream's own progress reaches the client under the client's token.
            ...(progressToken === undefined
              ? {}
              : {
                  onprogress: ({ progress, total, message }) => {
                    extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, total, message } }).catch(() => {});
                  },
                  resetTimeoutOnProgress: true,
                }),
          }) as Promise<CallToolResult>,
      });
    });

    // Resources and prompts pass through untouched: listed from every upstream, read from
    // the one that listed them. Only tool calls are governed.
    const resourceOwners = new Map<string, Upstream>();
    server.setRequestHandler(ListResourcesRequestSchema, async () => {
      const lists = await Promise.all(upstreams.map(async (upstream) => ({ upstream, resources: await upstream.listResources() })));
      for (const { upstream, resources } of lists) for (const resource of resources) if (!resourceOwners.has(resource.uri)) resourceOwners.set(resource.uri, upstream);
      return { resources: lists.flatMap(({ resources }) => resources) };
    });
    server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
      resourceTemplates: (await Promise.all(upstreams.map((upstream) => upstream.listResourceTemplates()))).flat(),
    }));
    server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
      const owner = resourceOwners.get(request.params.uri);
      const candidates = owner ? [owner] : upstreams.filter((upstream) => upstream.client.getServerCapabilities()?.resources);
      let lastError: unknown = new McpError(ErrorCode.InvalidParams, `Unknown resource: ${request.params.uri}`);
      for (const upstream of candidates) {
        try {
          return await upstream.client.readResource(request.params, { signal: extra.signal });
        } catch (error) {
          lastError = error;
        }
      }
      throw lastError;
    });
    const promptOwners = new Map<string, Upstream>();
    server.setRequestHandler(ListPromptsRequestSchema, async () => {
      const lists = await Promise.all(upstreams.map(async (upstream) => ({ upstream, prompts: await upstream.listPrompts() })));
      promptOwners.clear();
      const prompts = [];
      for (const { upstream, prompts: own } of lists) {
        for (const prompt of own) {
          if (promptOwners.has(prompt.name)) {
            log(`countersign-mcp: prompt "${prompt.name}" of "${upstream.name}" is hidden by the one of "${promptOwners.get(prompt.name)!.name}" (same name)`);
            continue;
          }
          promptOwners.set(prompt.name, upstream);
          prompts.push(prompt);
        }
      }
      return { prompts };
    });
    server.setRequestHandler(GetPromptRequestSchema, async (request, extra) => {
      if (promptOwners.size === 0) {
        for (const upstream of upstreams) for (const prompt of await upstream.listPrompts()) if (!promptOwners.has(prompt.name)) promptOwners.set(prompt.name, upstream);
      }
      const owner = promptOwners.get(request.params.name);
      if (!owner) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${request.params.name}`);
      return owner.client.getPrompt(request.params, { signal: extra.signal });
    });
    return server;
  }

  return {
    upstreams,
    refreshTools,
    allTools: async () => (await allTools()).map(({ exposedName, definition }) => ({ exposedName, definition })),
    createServer,
    async close() {
      await Promise.allSettled([...servers].map((server) => server.close()));
      await calls?.flush();
      await Promise.allSettled(upstreams.map((upstream) => upstream.close()));
      if (ownsClient) await countersign?.dispose();
    },
  };
}

/** The SDK's retries and reconnects as warnings; its debug chatter dropped. */
function quietLogger(log: (message: string) => void) {
  return { debug() {}, info() {}, warn: (message: string) => log(message), error: (message: string) => log(message) };
}
