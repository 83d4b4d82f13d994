export { createApp, type App, type AppOptions } from './app.js';
export { loadConfig, type Config } from './config.js';
export { createLogger } from './logger.js';
export { ErrorCode } from './errors.js';
export { SecretBox } from './secrets/secret-box.js';
