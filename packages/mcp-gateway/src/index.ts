/**
 * The Countersign MCP gateway: an MCP server to any MCP client and a client to its MCP
 * servers, putting every tool call behind Countersign (DESIGN §13). Run it as
 * `countersign-mcp`; the exports are for embedding and tests.
 *
 * @packageDocumentation
 */
export { startGateway, NAME_SEPARATOR, type Gateway, type GatewayOptions } from './gateway.js';
export { serveHttp, type HttpGateway, type HttpServeOptions } from './serve/http.js';
export { loadConfigFile, parseConfig, ConfigError, type LoadedConfig } from './config/load.js';
export type { GatewayConfig, ServerConfig, ToolMapping } from './config/schema.js';
export { buildLock, checkLock, fingerprint, lockPathFor, readLock, writeLock, LOCK_FILE_NAME, type LockFile } from './lock/lock.js';
export { runCli, UsageError } from './cli.js';
