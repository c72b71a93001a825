export * from './backoff.js';
export * from './errors.js';
export * from './limits.js';
export * from './oauth-protocol.js';
export * from './oauth-providers.js';
export * from './protocol.js';
export * from './version.js';
export * from './providers.js';
