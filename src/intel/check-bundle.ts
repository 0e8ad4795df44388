// A bundle checked as a receiver must: its envelope, then each object against its type's official
// schema and the rules the schemas cannot say (the id names the type, `modified` is not before
// `created`, an indicator's STIX pattern parses, every reference resolves). A bad object is set
// aside with its reason; objects that refer to it are set aside too, so what passes is whole.
import { isJsonObject, type JsonObject } from '../core/index.js';
import { envelopeProblem, isStandardType, schemaProblem } from './stix-schemas.js';
import { parseStixPattern, StixPatternError } from './stix-pattern.js';
import { tlp1MarkingIds, tlpMarkingIds } from './tlp.js';

/** Why one object of a bundle was set aside. */
export interface ObjectProblem {
  /** Position in the bundle's `objects`. */
  index: number;
  id: string | null;
  type: string | null;
  /** The property at fault (a JSON pointer, '' for the object). */
  field: string;
  reason: string;
}

export interface BundleCheck {
  /** The bundle's id, when its envelope has one. */
  bundleId: string | null;
  /** Null when the envelope is sound; otherwise nothing in it is usable. */
  envelope: { field: string; reason: string } | null;
  /** Objects that passed every check, in bundle order. */
  accepted: JsonObject[];
  problems: ObjectProblem[];
}

export interface CheckOptions {
  /** Ids the receiver already holds (references to them resolve). */
  known?: (id: string) => boolean;
}

const idPattern =
  /^([a-z0-9][a-z0-9-]*[a-z0-9]|[a-z0-9])--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/;
const wellKnown = new Set<string>([
  ...Object.values(tlpMarkingIds),
  ...Object.values(tlp1MarkingIds),
]);

/** Every identifier an object refers to: `*_ref` and `*_refs` properties, at any depth, with where. */
export function referencesOf(object: JsonObject): { field: string; id: string }[] {
  const found: { field: string; id: string }[] = [];
  const visit = (value: unknown, path: string, key: string): void => {
    if (typeof value === 'string' && key.endsWith('_ref')) found.push({ field: path, id: value });
    else if (Array.isArray(value)) {
      value.forEach((item, index) => {
        if (typeof item === 'string' && key.endsWith('_refs'))
          found.push({ field: `${path}/${index}`, id: item });
        else visit(item, `${path}/${index}`, '');
      });
    } else if (isJsonObject(value))
      for (const [name, item] of Object.entries(value)) {
        // observed-data's deprecated `objects` dictionary refers by local keys, not ids
        if (path === '' && name === 'objects' && object.type === 'observed-data') continue;
        visit(item, `${path}/${name}`, name);
      }
  };
  visit(object, '', '');
  return found;
}

/** Whether a custom object says which extension definition makes its type (STIX 2.1, 7.3). */
function declaresNewType(object: JsonObject): boolean {
  const extensions = isJsonObject(object.extensions) ? Object.values(object.extensions) : [];
  return extensions.some(
    (extension) =>
      isJsonObject(extension) &&
      typeof extension.extension_type === 'string' &&
      extension.extension_type.startsWith('new-'),
  );
}

/** The checks that need only the object itself. */
function ownProblem(object: JsonObject): { field: string; reason: string } | null {
  const type = typeof object.type === 'string' ? object.type : null;
  const id = typeof object.id === 'string' ? object.id : null;
  if (!type) return { field: '/type', reason: 'every STIX object needs a string `type`' };
  if (!id || !idPattern.test(id) || !id.startsWith(`${type}--`))
    return {
      field: '/id',
      reason: `the id must be '${type}--' followed by an RFC 4122 UUID`,
    };
  if (!isStandardType(type) && !declaresNewType(object))
    return {
      field: '/type',
      reason: `unknown type '${type}': not a STIX 2.1 type, and no extension of type new-sdo, new-sco or new-sro is declared in its 'extensions'`,
    };
  const schema = schemaProblem(object);
  if (schema) return { field: schema.path, reason: schema.reason };
  if (
    typeof object.created === 'string' &&
    typeof object.modified === 'string' &&
    Date.parse(object.modified) < Date.parse(object.created)
  )
    return { field: '/modified', reason: '`modified` is earlier than `created`' };
  if (type === 'indicator' && object.pattern_type === 'stix') {
    try {
      parseStixPattern(String(object.pattern));
    } catch (error) {
      if (error instanceof StixPatternError)
        return { field: '/pattern', reason: `the STIX pattern does not parse: ${error.message}` };
      throw error;
    }
  }
  return null;
}

/**
 * The ids a bundle's objects refer to that `holds` says the receiver already has: `known` for
 * checkBundle, which asks synchronously, from a store that answers asynchronously.
 */
export async function heldReferences(
  bundle: unknown,
  holds: (id: string) => Promise<boolean>,
): Promise<Set<string>> {
  const objects = isJsonObject(bundle) && Array.isArray(bundle.objects) ? bundle.objects : [];
  const referred = new Set(
    objects.filter(isJsonObject).flatMap((object) => referencesOf(object).map(({ id }) => id)),
  );
  const held = new Set<string>();
  for (const id of referred) if (!wellKnown.has(id) && (await holds(id))) held.add(id);
  return held;
}

/** Checks a parsed bundle (any JSON value) as a receiver would. */
export function checkBundle(bundle: unknown, options: CheckOptions = {}): BundleCheck {
  const envelope = envelopeProblem(bundle);
  const bundleId = isJsonObject(bundle) && typeof bundle.id === 'string' ? bundle.id : null;
  if (envelope)
    return {
      bundleId,
      envelope: { field: envelope.path, reason: envelope.reason },
      accepted: [],
      problems: [],
    };
  const objects = ((bundle as JsonObject).objects ?? []) as JsonObject[];
  const problems: ObjectProblem[] = [];
  const passed = new Map<number, JsonObject>();
  objects.forEach((object, index) => {
    const problem = ownProblem(object);
    if (problem)
      problems.push({
        index,
        id: typeof object.id === 'string' ? object.id : null,
        type: typeof object.type === 'string' ? object.type : null,
        ...problem,
      });
    else passed.set(index, object);
  });
  // references: to what passed, to what the receiver holds, or to the well-known markings;
  // repeated until stable, since setting one object aside can leave another's reference dangling
  let changed = true;
  while (changed) {
    changed = false;
    const present = new Set([...passed.values()].map((object) => object.id as string));
    for (const [index, object] of passed) {
      const dangling = referencesOf(object).find(
        ({ id }) => !present.has(id) && !wellKnown.has(id) && !(options.known?.(id) ?? false),
      );
      if (!dangling) continue;
      passed.delete(index);
      changed = true;
      const rejected = problems.some((problem) => problem.id === dangling.id);
      problems.push({
        index,
        id: object.id as string,
        type: object.type as string,
        field: dangling.field,
        reason: rejected
          ? `refers to ${dangling.id}, which was rejected`
          : `refers to ${dangling.id}, which is neither in the bundle nor already known`,
      });
    }
  }
  problems.sort((a, b) => a.index - b.index);
  return { bundleId, envelope: null, accepted: [...passed.values()], problems };
}
