// Public face of replay/: send a logged traffic folder through a live gateway, as its accounts would.
export { replay, type ReplayOptions, type ReplayProgress } from './replay.js';
export { refusedAccounts, type ReplaySummary } from './replay-tally.js';
export type { AccountsPosted, AccountRejection } from './admin-client.js';
