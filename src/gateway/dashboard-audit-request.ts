// The body of POST /admin/v1/audits, checked field by field (400 naming the field): the suspect, the
// model, how much to ask, and the campaign or tracer cohort whose key the suspect is tested under.
import type { JsonObject } from '../core/index.js';
import { cohortOf } from '../respond/index.js';
import type { SqliteStore } from '../store/index.js';
import { ApiError } from './api-error.js';

/** What a request asks for, checked. */
export interface AuditRequest {
  suspect_url: string;
  model: string;
  prompts: number;
  samples_per_prompt: number;
  max_tokens: number;
  concurrency: number;
  rate: number;
  campaign_id: string | null;
  cohort: number;
}

const fields = [
  'suspect_url',
  'model',
  'prompts',
  'samples_per_prompt',
  'max_tokens',
  'concurrency',
  'rate',
  'campaign_id',
  'cohort',
];

function invalid(param: string, message: string): ApiError {
  return new ApiError(400, 'invalid_request', `${param}: ${message}`, { param });
}

function integerField(body: JsonObject, name: string, fallback: number, max: number, min = 1) {
  const value = body[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
    throw invalid(name, `an integer from ${min} to ${max}.`);
  return value;
}

function suspectUrl(value: unknown): string {
  const usage = "required, the suspect's OpenAI-compatible base URL, such as http://host:8000/v1.";
  if (typeof value !== 'string' || value.trim() === '') throw invalid('suspect_url', usage);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('suspect_url', `not a URL; ${usage}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalid('suspect_url', `an http or https URL; ${usage}`);
  // the request is stored and shown to every reader: no credentials in it
  if (url.username !== '' || url.password !== '')
    throw invalid(
      'suspect_url',
      'no credentials in the URL: the server sends DISTILLGUARD_SUSPECT_API_KEY, when set, as a bearer token.',
    );
  return value;
}

/** The request body checked; errors name the field. */
export async function auditRequest(
  body: JsonObject,
  store: SqliteStore,
  cohorts: number,
): Promise<AuditRequest> {
  for (const name of Object.keys(body))
    if (!fields.includes(name))
      throw invalid(name, `not a field of an audit; the fields are ${fields.join(', ')}.`);
  const model = body.model;
  if (typeof model !== 'string' || model.trim() === '' || model.length > 256)
    throw invalid('model', "required, the model name to ask the suspect for (as in its 'model').");
  const rate = body.rate ?? 5;
  if (typeof rate !== 'number' || !(rate > 0 && rate <= 1000))
    throw invalid('rate', 'requests started per second, a number above 0 and at most 1000.');
  return {
    suspect_url: suspectUrl(body.suspect_url),
    model,
    prompts: integerField(body, 'prompts', 200, 10_000),
    samples_per_prompt: integerField(body, 'samples_per_prompt', 1, 16),
    max_tokens: integerField(body, 'max_tokens', 256, 32_768),
    concurrency: integerField(body, 'concurrency', 4, 64),
    rate,
    ...(await auditedCohort(body, store, cohorts)),
  };
}

/** The cohort whose key gives the verdict: a stored campaign's (as the ladder picks it), or one named. */
async function auditedCohort(
  body: JsonObject,
  store: SqliteStore,
  cohorts: number,
): Promise<{ campaign_id: string | null; cohort: number }> {
  const campaignId = body.campaign_id;
  if (campaignId !== undefined && body.cohort !== undefined)
    throw invalid('cohort', 'give campaign_id or cohort, not both.');
  if (campaignId !== undefined) {
    if (typeof campaignId !== 'string' || campaignId === '')
      throw invalid('campaign_id', 'a stored campaign id, such as those /admin/v1/overview lists.');
    if ((await store.intel.readCampaignFindings(campaignId)).length === 0)
      throw invalid(
        'campaign_id',
        `no campaign '${campaignId}' in the store; name the cohort instead (cohort, 0 to ${cohorts - 1}).`,
      );
    // the same index the ladder served the campaign's tracer answers under (respond/cohort.ts)
    return { campaign_id: campaignId, cohort: cohortOf({ campaignId, accountId: '' }, cohorts) };
  }
  if (body.cohort !== undefined)
    return { campaign_id: null, cohort: integerField(body, 'cohort', 0, cohorts - 1, 0) };
  if (cohorts === 1) return { campaign_id: null, cohort: 0 };
  throw invalid(
    'campaign_id',
    `required (or cohort, 0 to ${cohorts - 1}): the gateway marks each campaign's answers under its own tracer cohort's key, so an audit tests the suspect under one of them; all ${cohorts} cohort keys are scored too, so another leaking cohort is named.`,
  );
}
