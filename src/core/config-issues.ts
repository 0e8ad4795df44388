// One wording for every config file DistillGuard reads: a zod issue becomes a sentence that names
// the field's path, and an unknown field also the nearest known name ("did you mean ...?").
import type { z } from 'zod';
import { DistillGuardError } from './errors.js';
import { nearestName } from './nearest-name.js';

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

/** A field's path as a user writes it: `upstreams[0].timeout_ms`. */
export function fieldPath(path: Path): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

interface SchemaDefinition {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: readonly z.ZodType[];
  shape?: Record<string, z.ZodType>;
  getter?: () => z.ZodType;
}

const definitionOf = (schema: z.ZodType): SchemaDefinition =>
  (schema as unknown as { _zod: { def: SchemaDefinition } })._zod.def;

/** Looks through optional, default, pipe and lazy wrappers to the schema that holds the value. */
function unwrap(schema: z.ZodType): z.ZodType {
  for (let depth = 0; depth < 32; depth += 1) {
    const definition = definitionOf(schema);
    const inner =
      definition.innerType ??
      (definition.type === 'pipe' ? definition.in : undefined) ??
      definition.getter?.();
    if (!inner) return schema;
    schema = inner;
  }
  return schema;
}

/** The field names an object at `path` of `schema` knows (empty when the path leads elsewhere). */
export function knownFields(schema: z.ZodType, path: Path): string[] {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const part of path) {
    const definition = definitionOf(current);
    if (definition.type === 'object' && typeof part === 'string')
      current = definition.shape?.[part];
    else if (definition.type === 'array') current = definition.element;
    else if (definition.type === 'record') current = definition.valueType;
    else if (definition.type === 'union')
      current = definition.options?.find((option) => knownFields(option, []).length > 0);
    else current = undefined;
    if (current === undefined) return [];
    current = unwrap(current);
  }
  const definition = definitionOf(current);
  if (definition.type === 'union')
    return [...new Set((definition.options ?? []).flatMap((option) => knownFields(option, [])))];
  return definition.type === 'object' ? Object.keys(definition.shape ?? {}) : [];
}

const maxProblems = 10;

/**
 * One sentence per problem, unknown fields first (a misspelt field is usually why a required one
 * is missing). `prefix` places a nested schema's issues in the whole file (`['policy']`).
 */
export function describeConfigIssues(
  schema: z.ZodType,
  issues: readonly Issue[],
  prefix: Path = [],
): string[] {
  const unknown: string[] = [];
  const other: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownFields(schema, issue.path);
      for (const key of issue.keys) {
        const suggestion = nearestName(key, known);
        const hint = suggestion
          ? `did you mean '${suggestion}'?`
          : `remove it or check its spelling${known.length > 0 ? ` (known here: ${known.join(', ')})` : ''}`;
        unknown.push(`unknown field '${fieldPath([...prefix, ...issue.path, key])}': ${hint}`);
      }
    } else other.push(`field '${fieldPath([...prefix, ...issue.path])}': ${issue.message}`);
  }
  const problems = [...unknown, ...other];
  return problems.length > maxProblems
    ? [...problems.slice(0, maxProblems), `and ${problems.length - maxProblems} more problems`]
    : problems;
}

/**
 * Parses `value` with `schema` or throws one usage error (exit 64) listing each problem on its own
 * line, each line starting with `origin` (the file, or what the config is).
 * @example parseConfig(schema, json, "config.json", 'docs/gateway.md')
 */
export function parseConfig<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  origin: string,
  docs: string,
): z.output<Schema> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  throw configError(origin, describeConfigIssues(schema, parsed.error.issues), docs);
}

/** The usage error for problems found in a config (see parseConfig). */
export function configError(
  origin: string,
  problems: readonly string[],
  docs: string,
): DistillGuardError {
  const lines = problems.map((problem) => `${origin}: ${problem}`);
  return new DistillGuardError(
    'usage',
    `${lines.join('\n')}\nFix ${problems.length === 1 ? 'it' : 'them'} and start again (see ${docs}).`,
  );
}
