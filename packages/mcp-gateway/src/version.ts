import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const GATEWAY_NAME = 'countersign-mcp';
export const GATEWAY_VERSION: string = (require('../package.json') as { version: string }).version;
