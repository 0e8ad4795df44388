// Validators for the shared contracts, compiled once by ajv from the project's own copy of the
// schema files (contracts/). ajv over the files themselves means the code cannot drift from them.
// ajv is loaded on the first validation (both packages are CommonJS), so that processes that never
// validate (the gateway's hot path, the store's write thread) do not hold it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { parseTimestamp } from './time.js';
import type { Account, AnalysisReport, Interaction, Labels } from './types.js';

const require = createRequire(import.meta.url);
type FormatsPlugin = (instance: Ajv2020) => Ajv2020;

export const contractNames = ['interaction', 'account', 'analysis-report', 'labels'] as const;
export type ContractName = (typeof contractNames)[number];

/** Folder holding the schema files shipped with the package. */
export const contractsDirectory = fileURLToPath(new URL('../../../contracts/', import.meta.url));

export function contractPath(name: ContractName): string {
  return `${contractsDirectory}${name}.schema.json`;
}

export function loadContractSchema(name: ContractName): Record<string, unknown> {
  return JSON.parse(readFileSync(contractPath(name), 'utf8')) as Record<string, unknown>;
}

/** One problem found in a record: the field (a JSON path, '' for the record itself) and why. */
export interface FieldProblem {
  field: string;
  reason: string;
}

export interface Validator<T> {
  (value: unknown): value is T;
  /** The first problem of the last failed call (validators stop at the first error for speed). */
  problem(): FieldProblem;
}

let sharedAjv: Ajv2020 | undefined;

function ajv(): Ajv2020 {
  if (!sharedAjv) {
    const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
    const formats = require('ajv-formats') as { default?: FormatsPlugin } & FormatsPlugin;
    sharedAjv = new Ajv({ allErrors: false, strict: false });
    (formats.default ?? formats)(sharedAjv);
  }
  return sharedAjv;
}

const compiled = new Map<ContractName, ValidateFunction>();

function compile(name: ContractName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    validate = ajv().compile(loadContractSchema(name));
    compiled.set(name, validate);
  }
  return validate;
}

/** Turns ajv's first error into a field path with dots ("client.asn", "request") and a reason. */
export function describeProblem(error: ErrorObject | undefined): FieldProblem {
  if (!error) return { field: '', reason: 'invalid' };
  const base = error.instancePath.slice(1).replaceAll('/', '.');
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') {
    const missing = String(params.missingProperty);
    return { field: base ? `${base}.${missing}` : missing, reason: 'is required but missing' };
  }
  if (error.keyword === 'enum') {
    const allowed = (params.allowedValues as unknown[])
      .map((value) => JSON.stringify(value))
      .join(', ');
    return { field: base, reason: `must be one of ${allowed}` };
  }
  if (error.keyword === 'format') {
    const hint = params.format === 'date-time' ? ' (RFC 3339, e.g. 2026-02-02T09:30:00Z)' : '';
    return { field: base, reason: `must be a valid ${String(params.format)}${hint}` };
  }
  return { field: base, reason: error.message ?? 'is invalid' };
}

/**
 * A validator for `name`, compiled on its first call. `refine` runs on what the schema accepted
 * and returns the first problem the schema cannot express, or null.
 */
function validator<T>(
  name: ContractName,
  refine?: (value: T) => FieldProblem | null,
): Validator<T> {
  let validate: ValidateFunction | null = null;
  let refined: FieldProblem | null = null;
  const check = ((value: unknown) => {
    refined = null;
    if (!(validate ??= compile(name))(value)) return false;
    refined = refine ? refine(value as T) : null;
    return refined === null;
  }) as Validator<T>;
  check.problem = () => refined ?? describeProblem(validate?.errors?.[0]);
  return check;
}

/**
 * RFC 3339 admits what epoch milliseconds cannot hold (a leap second `23:59:60`, years past
 * 275760): the store keeps `ts` as epoch ms, so such a record is rejected here, at every entry
 * point, instead of failing in the store.
 */
function timeProblem(field: string, value: string | undefined): FieldProblem | null {
  if (value === undefined || Number.isFinite(parseTimestamp(value))) return null;
  return {
    field,
    reason:
      'is not a time DistillGuard can store (a leap second such as 23:59:60, or a year past 275760): send seconds 00-59',
  };
}

export const validateInteraction = (): Validator<Interaction> =>
  validator<Interaction>('interaction', (record) => timeProblem('ts', record.ts));
export const validateAccount = (): Validator<Account> =>
  validator<Account>('account', (record) => timeProblem('created_at', record.created_at));
export const validateReport = (): Validator<AnalysisReport> =>
  validator<AnalysisReport>('analysis-report');
export const validateLabels = (): Validator<Labels> => validator<Labels>('labels');
