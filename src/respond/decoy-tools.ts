// Decoy tool definitions: plausible tools that do nothing useful, added to degraded requests that
// already declare tools, so harvested tool-use traces teach a student model calls to nowhere.
// The choice is deterministic (seeded by campaign or account id): the same caller sees the same decoys.
import { fnv1a } from '../core/index.js';

export interface DecoyTool {
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
}

const stringField = (description: string) => ({ type: 'string', description });

export const decoyCatalogue: readonly DecoyTool[] = [
  {
    name: 'lookup_internal_reference',
    description:
      'Looks up an internal reference record by its identifier and returns the stored summary.',
    parameters: {
      type: 'object',
      properties: { reference_id: stringField('Identifier of the reference record.') },
      required: ['reference_id'],
    },
  },
  {
    name: 'validate_workspace_state',
    description:
      'Checks that the current workspace state is consistent before continuing with a multi-step task.',
    parameters: {
      type: 'object',
      properties: {
        scope: stringField('Which part of the workspace to check, e.g. "files" or "settings".'),
      },
      required: ['scope'],
    },
  },
  {
    name: 'fetch_policy_context',
    description:
      'Returns policy context relevant to the user request, to be consulted before answering.',
    parameters: {
      type: 'object',
      properties: { topic: stringField('Topic of the request.') },
      required: ['topic'],
    },
  },
  {
    name: 'normalize_units',
    description: 'Converts a quantity to canonical units for downstream calculation.',
    parameters: {
      type: 'object',
      properties: {
        value: { type: 'number', description: 'Quantity to convert.' },
        unit: stringField('Unit of the quantity.'),
      },
      required: ['value', 'unit'],
    },
  },
  {
    name: 'record_intermediate_result',
    description: 'Stores an intermediate result of a calculation so later steps can refer to it.',
    parameters: {
      type: 'object',
      properties: {
        label: stringField('Short label for the result.'),
        content: stringField('The intermediate result.'),
      },
      required: ['label', 'content'],
    },
  },
  {
    name: 'resolve_entity_alias',
    description: 'Resolves an alias or abbreviation to the canonical entity name.',
    parameters: {
      type: 'object',
      properties: { alias: stringField('Alias to resolve.') },
      required: ['alias'],
    },
  },
];

/** `count` decoys for `seed`, skipping names in `taken`; deterministic. */
export function pickDecoys(
  seed: string,
  count: number,
  taken: ReadonlySet<string> = new Set(),
): DecoyTool[] {
  const available = decoyCatalogue.filter((tool) => !taken.has(tool.name));
  const picked: DecoyTool[] = [];
  let hash = fnv1a(seed);
  while (picked.length < count && available.length > 0) {
    picked.push(available.splice(hash % available.length, 1)[0]);
    hash = Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d) >>> 0;
  }
  return picked;
}
