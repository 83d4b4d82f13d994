import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
  type Prompt,
  type Resource,
  type ResourceTemplate,
  type ServerNotification,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { ServerConfig } from '../config/schema.js';
import { GATEWAY_NAME, GATEWAY_VERSION } from '../version.js';

/** One upstream MCP server the gateway is a client of. */
export interface Upstream {
  name: string;
  config: ServerConfig;
  client: Client;
  listTools(): Promise<Tool[]>;
  listResources(): Promise<Resource[]>;
  listResourceTemplates(): Promise<ResourceTemplate[]>;
  listPrompts(): Promise<Prompt[]>;
  close(): Promise<void>;
}

export interface UpstreamEvents {
  /** A notification the client should hear about (list changes, resource updates). */
  onNotification(upstream: string, notification: ServerNotification): void;
}

/** Connects to one upstream: a stdio child process (`command`) or a Streamable HTTP server (`url`). */
export async function connectUpstream(name: string, config: ServerConfig, events: UpstreamEvents): Promise<Upstream> {
  const client = new Client({ name: GATEWAY_NAME, version: GATEWAY_VERSION }, { capabilities: {} });
  for (const schema of [ToolListChangedNotificationSchema, ResourceListChangedNotificationSchema, PromptListChangedNotificationSchema, ResourceUpdatedNotificationSchema]) {
    client.setNotificationHandler(schema, (notification) => events.onNotification(name, notification as ServerNotification));
  }
  const transport: Transport = config.url
    ? new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers: config.headers ?? {} } })
    : new StdioClientTransport({
        command: config.command!,
        args: config.args,
        // The child gets the SDK's safe subset of our environment (PATH, HOME…), not our
        // COUNTERSIGN_API_KEY; `env` in the config adds what the server needs.
        env: { ...getDefaultEnvironment(), ...config.env },
        cwd: config.cwd,
        stderr: 'inherit',
      });
  try {
    await client.connect(transport);
  } catch (error) {
    await client.close().catch(() => {});
    throw new Error(`upstream server "${name}" (${config.url ?? [config.command, ...config.args].join(' ')}) could not be started: ${(error as Error).message}`, { cause: error });
  }
  const capabilities = client.getServerCapabilities() ?? {};

  return {
    name,
    config,
    client,
    listTools: () => (capabilities.tools ? allPages((cursor) => client.listTools({ cursor }), (page) => page.tools) : Promise.resolve([])),
    listResources: () => (capabilities.resources ? allPages((cursor) => client.listResources({ cursor }), (page) => page.resources) : Promise.resolve([])),
    listResourceTemplates: () =>
      capabilities.resources ? allPages((cursor) => client.listResourceTemplates({ cursor }), (page) => page.resourceTemplates) : Promise.resolve([]),
    listPrompts: () => (capabilities.prompts ? allPages((cursor) => client.listPrompts({ cursor }), (page) => page.prompts) : Promise.resolve([])),
    close: () => client.close(),
  };
}

/** The most pages the gateway reads of one list, against a server that never stops paging. */
const MAX_PAGES = 100;

async function allPages<P extends { nextCursor?: string }, T>(fetch: (cursor: string | undefined) => Promise<P>, items: (page: P) => T[]): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await fetch(cursor);
    all.push(...items(result));
    cursor = result.nextCursor;
    if (!cursor) break;
  }
  return all;
}
