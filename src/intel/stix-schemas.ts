// The official STIX 2.1 JSON schemas (contracts/stix/schemas, oasis-open/cti-stix2-json-schemas,
// BSD-3-Clause), compiled by ajv's draft 2020-12 build with ajv-formats. Each object is checked
// against its own type's schema: the official bundle schema leaves grouping, note, opinion,
// incident and extension-definition out of its list, so a bundle's envelope is checked apart.
// `unicodeRegExp: false`: some of the schemas' patterns are not valid under the `u` flag.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { JsonObject } from '../core/index.js';

const require = createRequire(import.meta.url);
type FormatsPlugin = (instance: Ajv2020) => Ajv2020;

/** The schema folder shipped with the package. */
export const stixSchemaDirectory = fileURLToPath(
  new URL('../../../contracts/stix/schemas/', import.meta.url),
);

interface Compiled {
  byType: Map<string, ValidateFunction>;
  customSdo: ValidateFunction;
  customSco: ValidateFunction;
  envelope: ValidateFunction;
}

let compiled: Compiled | undefined;

function compileAll(): Compiled {
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const formats = require('ajv-formats') as { default?: FormatsPlugin } & FormatsPlugin;
  const ajv = new Ajv({ strict: false, allErrors: false, unicodeRegExp: false });
  (formats.default ?? formats)(ajv);
  // formats ajv-formats lacks: accepted as strings (the schemas' other checks still apply)
  for (const name of ['idn-hostname', 'idn-email', 'iri', 'iri-reference'])
    ajv.addFormat(name, true);
  const ids = new Map<string, string>();
  for (const folder of ['common', 'sdos', 'sros', 'observables']) {
    for (const file of readdirSync(`${stixSchemaDirectory}${folder}`).sort()) {
      if (!file.endsWith('.json')) continue;
      const schema = JSON.parse(
        readFileSync(`${stixSchemaDirectory}${folder}/${file}`, 'utf8'),
      ) as JsonObject;
      ajv.addSchema(schema);
      ids.set(`${folder}/${file.slice(0, -5)}`, schema.$id as string);
    }
  }
  const byType = new Map<string, ValidateFunction>();
  for (const [name, id] of ids) {
    const [folder, type] = name.split('/');
    const isObjectSchema =
      folder !== 'common' ||
      type === 'marking-definition' ||
      type === 'extension-definition' ||
      type === 'language-content';
    if (isObjectSchema) byType.set(type, ajv.getSchema(id) as ValidateFunction);
  }
  const envelope = ajv.compile({
    type: 'object',
    required: ['type', 'id'],
    properties: {
      type: { const: 'bundle' },
      id: {
        type: 'string',
        pattern:
          '^bundle--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$',
      },
      objects: { type: 'array', items: { type: 'object' } },
    },
  });
  return {
    byType,
    customSdo: ajv.getSchema(ids.get('common/core') as string) as ValidateFunction,
    customSco: ajv.getSchema(ids.get('common/cyber-observable-core') as string) as ValidateFunction,
    envelope,
  };
}

function schemas(): Compiled {
  compiled ??= compileAll();
  return compiled;
}

/** One schema problem: where (a JSON pointer inside the object) and what. */
export interface SchemaProblem {
  path: string;
  reason: string;
}

function describe(errors: ErrorObject[] | null | undefined): SchemaProblem {
  const error = errors?.[0];
  if (!error) return { path: '', reason: 'does not match its schema' };
  const params = error.params as Record<string, unknown>;
  const detail =
    error.keyword === 'required'
      ? `is missing required property '${String(params.missingProperty)}'`
      : error.keyword === 'additionalProperties'
        ? `has unknown property '${String(params.additionalProperty)}'`
        : (error.message ?? 'is invalid');
  return { path: error.instancePath, reason: detail };
}

/** The official schema that applies to an object of `type`, or the common core for a custom type. */
function validatorFor(object: JsonObject): ValidateFunction {
  const { byType, customSdo, customSco } = schemas();
  const type = typeof object.type === 'string' ? object.type : '';
  const known = byType.get(type);
  if (known) return known;
  // a custom object: SDOs and SROs carry `created`, SCOs do not
  return 'created' in object ? customSdo : customSco;
}

/** Checks one object against its type's official schema; null when it passes. */
export function schemaProblem(object: JsonObject): SchemaProblem | null {
  const validate = validatorFor(object);
  return validate(object) ? null : describe(validate.errors);
}

/** Whether `type` has an official schema (a type defined by STIX 2.1 itself). */
export function isStandardType(type: string): boolean {
  return schemas().byType.has(type);
}

/** Checks a bundle's envelope (type, id, objects an array of objects); null when it passes. */
export function envelopeProblem(bundle: unknown): SchemaProblem | null {
  const { envelope } = schemas();
  return envelope(bundle) ? null : describe(envelope.errors);
}
