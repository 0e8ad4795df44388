// Watermark audits started from the dashboard (POST /admin/v1/audits): the radioactivity audit of a
// suspect model (src/audit/, Sander et al. 2024) under the key the gateway served a campaign's
// tracer cohort with, every cohort key scored beside it so that the leaking cohort is named. The
// gateway marks only under cohort keys (derived from its master key), never under the master key
// itself, so an audit names the campaign or the cohort it is about. One audit at a time, on a worker
// thread (dashboard-audit-worker.ts); its row in the store says running, then done or failed.
import { mkdirSync, mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FastifyBaseLogger } from 'fastify';
import type { JsonObject } from '../core/index.js';
import type { Actor } from '../designate/index.js';
import type { SqliteStore } from '../store/index.js';
import type { WatermarkKey } from '../watermark/index.js';
import { ApiError } from './api-error.js';
import { auditRequest } from './dashboard-audit-request.js';
import type { AuditJob, AuditThreadMessage } from './dashboard-audit-worker.js';
import { newAuditId, type AuditStarter } from './dashboard-audit-routes.js';
import type { GatewayScheme } from './gateway-config.js';

export interface AuditStarterOptions {
  store: SqliteStore;
  /** The master key the gateway's tracer cohorts derive from (read at start); null: no `watermark` config. */
  master: WatermarkKey | null;
  /** The schemes the upstreams are marked with (`watermark.schemes`, else `default_scheme`). */
  schemes: readonly GatewayScheme[];
  /** The policy's `tracer.cohorts`: answers are marked under cohort keys 0 to cohorts-1. */
  cohorts: number;
  /** `watermark.audit_prompts_file`: JSON Lines of prompts, as `distillguard audit --prompts`. */
  promptsPath?: string;
  /** Answers go to a folder beside it (`<database>.audits/`). */
  databasePath: string;
  log: FastifyBaseLogger;
}

export interface AuditStarterParts {
  startAudit?: AuditStarter;
  /** Why audits cannot be started here, when `startAudit` is absent. */
  auditUnavailable?: string;
  /** Stops a running audit (its row is marked failed); the gateway calls it on the way down. */
  close(): Promise<void>;
}

/** Where an audit's answers are written: a folder beside the database (a temporary one for :memory:). */
function answersFolder(databasePath: string): string {
  if (databasePath === ':memory:') return mkdtempSync(join(tmpdir(), 'distillguard-audits-'));
  const folder = `${databasePath}.audits`;
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  return folder;
}

/** Why this gateway cannot audit, or null when it can. */
function unavailability(options: AuditStarterOptions): string | null {
  if (!options.master)
    return 'this gateway has no watermark: audits test a suspect for the mark the gateway serves. Add a `watermark` section to --config (master_key_file and audit_prompts_file; docs/gateway.md) and restart.';
  if (options.schemes.length > 0 && options.schemes.every((scheme) => scheme === 'lexical'))
    return 'every upstream is marked with the lexical scheme (keyed synonyms), which the radioactivity audit does not test: it scores token tuples. Use selection or a sampler-side scheme for an upstream to audit what it served.';
  if (!options.promptsPath)
    return 'no audit prompts: set watermark.audit_prompts_file in --config to a JSON Lines file of prompts ({"messages": [...]} or {"prompt": "..."} per line, as `distillguard audit --prompts`) and restart.';
  if (!existsSync(options.promptsPath))
    return `watermark.audit_prompts_file: '${options.promptsPath}' does not exist; point it at a JSON Lines file of prompts and restart.`;
  return null;
}

/**
 * The dashboard's audit starter for this gateway, or the reason there is none.
 * @example const { startAudit, auditUnavailable, close } = await auditStarter({ store, master, schemes: ['kgw'], cohorts: 16, promptsPath, databasePath, log });
 */
export async function auditStarter(options: AuditStarterOptions): Promise<AuditStarterParts> {
  const { store, log, cohorts } = options;
  // an audit that was running when the last server stopped (a crash, a kill) never finishes: say so
  const abandoned = await store.dashboard.abandonAuditRuns(
    new Date().toISOString(),
    'the server stopped while this audit ran; start it again.',
  );
  if (abandoned > 0)
    log.warn(
      { audits: abandoned },
      `${abandoned} dashboard audit(s) were running when the server last stopped: marked failed`,
    );
  const reason = unavailability(options);
  let running: { auditId: string; worker: Worker; done: Promise<void>; stopping: boolean } | null =
    null;
  // the audit whose row is being stored before its thread starts: it holds the one place too
  let starting: string | null = null;
  const close = async () => {
    const current = running;
    if (!current) return;
    current.stopping = true;
    await current.worker.terminate();
    await current.done;
  };
  if (reason !== null) return { auditUnavailable: reason, close };
  const master = options.master as WatermarkKey;
  const promptsPath = options.promptsPath as string;

  const finish = async (auditId: string, outcome: AuditThreadMessage) => {
    try {
      await store.dashboard.finishAuditRun(auditId, {
        finishedAt: new Date().toISOString(),
        status: outcome.kind === 'done' ? 'done' : 'failed',
        evidence: outcome.kind === 'done' ? JSON.stringify(outcome.evidence) : null,
        error: outcome.kind === 'failed' ? outcome.message : null,
      });
    } catch (error) {
      log.error({ err: error, audit_id: auditId }, 'dashboard audit: its outcome was not stored');
    }
    if (outcome.kind === 'done')
      log.info(
        { audit_id: auditId, verdict: outcome.evidence.verdict },
        `dashboard audit ${auditId}: ${outcome.evidence.verdict}`,
      );
    else log.warn({ audit_id: auditId }, `dashboard audit ${auditId} failed: ${outcome.message}`);
  };

  const startAudit: AuditStarter = async (actor: Actor, body: JsonObject) => {
    const request = await auditRequest(body, store, cohorts);
    const busy = running?.auditId ?? starting;
    if (busy !== null)
      throw new ApiError(
        409,
        'audit_unavailable',
        `audit ${busy} is still running; this server runs one at a time. Start this one when it has finished (GET /admin/v1/audits/${busy}).`,
      );
    const auditId = newAuditId();
    const job: AuditJob = {
      master,
      cohorts,
      cohort: request.cohort,
      promptsPath,
      promptCount: request.prompts,
      suspectUrl: request.suspect_url,
      model: request.model,
      samplesPerPrompt: request.samples_per_prompt,
      maxTokens: request.max_tokens,
      concurrency: request.concurrency,
      rate: request.rate,
      answersPath: join(answersFolder(options.databasePath), `${auditId}.answers.jsonl`),
    };
    // taken before the first await, so that a second request waits its turn
    starting = auditId;
    try {
      await store.dashboard.addAuditRun({
        auditId,
        startedBy: actor.name,
        startedAt: new Date().toISOString(),
        finishedAt: null,
        status: 'running',
        // what was asked, the key by its id only: never a secret
        request: JSON.stringify({ ...request, cohorts, master_key_id: master.key_id }),
        evidence: null,
        error: null,
      });
    } finally {
      starting = null;
    }
    let worker: Worker;
    try {
      worker = new Worker(new URL('./dashboard-audit-worker.js', import.meta.url), {
        workerData: job,
      });
    } catch (error) {
      await finish(auditId, {
        kind: 'failed',
        message: `the audit thread did not start: ${(error as Error).message}`,
      });
      throw error;
    }
    let outcome: AuditThreadMessage | null = null;
    const done = new Promise<void>((resolve) => {
      worker.on('message', (message: AuditThreadMessage) => {
        if (message.kind === 'progress')
          log.info({ audit_id: auditId }, `dashboard audit ${auditId}: ${message.message}`);
        else outcome = message;
      });
      worker.on('error', (error) => {
        outcome ??= { kind: 'failed', message: `the audit thread failed: ${error.message}` };
      });
      worker.on('exit', (code) => {
        const stopped = running?.stopping === true;
        // the place is given up once the outcome is stored: no audit starts beside a row still running
        void finish(
          auditId,
          outcome ??
            (stopped
              ? { kind: 'failed', message: 'the gateway stopped before the audit finished.' }
              : { kind: 'failed', message: `the audit thread stopped (exit code ${code}).` }),
        ).finally(() => {
          running = null;
          resolve();
        });
      });
    });
    running = { auditId, worker, done, stopping: false };
    log.info(
      { audit_id: auditId, cohort: request.cohort, by: actor.name },
      `dashboard audit ${auditId} started`,
    );
    return { auditId, done };
  };
  return { startAudit, close };
}
