// Every environment variable DistillGuard reads, named once. Secrets come from the environment (or
// a file) rather than the command line, where `ps` would show them. Imported as a file by the code
// that runs before core/index.js may load (src/cli, src/runtime), like errors.ts.

/** `serve`'s bootstrap admin token (every scope); `replay`'s token for the gateway's admin API. */
export const adminTokenVariable = 'DISTILLGUARD_ADMIN_TOKEN';
/** The secret the trusted auth proxy sends with `--trust-account-header`. */
export const proxySecretVariable = 'DISTILLGUARD_PROXY_SECRET';
/** The secret API keys and admin tokens are hashed under. */
export const keyHashSecretVariable = 'DISTILLGUARD_KEY_HASH_SECRET';
/** The token of the user a command acts as (`--as NAME`); `users add` prints it once. */
export const userTokenVariable = 'DISTILLGUARD_TOKEN';
/** The Chromium that prints evidence reports to PDF (default: Debian's /usr/bin/chromium). */
export const chromiumVariable = 'DISTILLGUARD_CHROMIUM';
/** The API key `audit` sends to the suspect model. */
export const suspectApiKeyVariable = 'DISTILLGUARD_SUSPECT_API_KEY';
/** `serve`'s young-generation cap in MB (0: V8's own growth). */
export const youngGenerationMbVariable = 'DISTILLGUARD_YOUNG_GENERATION_MB';
/** `serve`'s old-generation growth in percent (0: V8's own growth). */
export const oldGenerationGrowthPercentVariable = 'DISTILLGUARD_OLD_GENERATION_GROWTH_PERCENT';
/** Fault tests only: the write thread holds each batch this many ms, as a starved thread would. */
export const faultWriterDelayVariable = 'DISTILLGUARD_FAULT_WRITER_DELAY_MS';
/** Tests only: the shared folder (contracts) when it is not beside the checkout. */
export const sharedFolderVariable = 'DISTILLGUARD_SHARED';
/** Tests only: the Redis the scale-out tests use (default redis://127.0.0.1:6379). */
export const testRedisUrlVariable = 'DISTILLGUARD_TEST_REDIS_URL';
/** Tests only: the NATS JetStream the scale-out tests use (default nats://127.0.0.1:4222). */
export const testNatsUrlVariable = 'DISTILLGUARD_TEST_NATS_URL';
/** Tests only: the PostgreSQL the scale-out tests use (default postgres://postgres@127.0.0.1:5432/test). */
export const testPostgresUrlVariable = 'DISTILLGUARD_TEST_POSTGRES_URL';
