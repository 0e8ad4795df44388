// Public face of core/: domain types, contract validators, errors, time, hashing (mix32, FNV-1a),
// JSON helpers, the wire header names, the API vocabulary (surface and family), the environment
// variable names and the listen defaults.
export * from './types.js';
export * from './errors.js';
export * from './contracts.js';
export * from './time.js';
export * from './mix32.js';
export * from './hash32.js';
export * from './json.js';
export * from './nearest-name.js';
export * from './config-issues.js';
export * from './wire-headers.js';
export * from './environment.js';
export * from './listen-defaults.js';
export * from './api-family.js';
export * from './keyed-fingerprint.js';
export * from './url-credentials.js';
