// Partners' indicators as detect/ matches them: every received, unrevoked, still valid indicator
// whose STIX pattern tests DistillGuard fingerprints (kind, key id, value or values), with the
// community keys this store holds. Indicators under a key we do not hold cannot match: counted.
import type { JsonObject } from '../core/index.js';
import { fingerprintKinds, type FingerprintKind } from '../core/index.js';
import type { PartnerIndicator, PartnerIndicatorSet } from '../detect/index.js';
import type { Store } from '../store/index.js';
import { fingerprintType } from './extensions.js';
import { parseStixPattern, type Comparison, type PatternLiteral } from './stix-pattern.js';

export interface LoadedPartnerIndicators extends PartnerIndicatorSet {
  /** Received fingerprint indicators under a key this store does not hold. */
  withoutKey: number;
}

/** The latest version of each received object of `type`. */
async function latestReceived(
  store: Pick<Store, 'intel'>,
  type: string,
): Promise<Map<string, JsonObject>> {
  const rows = await store.intel.listStixObjects({ type, origin: 'received', latest: true });
  return new Map(rows.map((row) => [row.id, JSON.parse(row.object) as JsonObject]));
}

/** kind, key id and values of a fingerprint pattern, or null for any other pattern. */
export function fingerprintTest(
  pattern: string,
): { kind: FingerprintKind; keyId: string; values: string[] } | null {
  let tree;
  try {
    tree = parseStixPattern(pattern);
  } catch {
    return null;
  }
  if (tree.kind !== 'observation') return null;
  const tests: { property: string; value: PatternLiteral | PatternLiteral[] }[] = [];
  const walk = (comparison: Comparison): boolean => {
    if (comparison.kind === 'and') return walk(comparison.left) && walk(comparison.right);
    if (comparison.kind !== 'test' || comparison.negated) return false;
    const step = comparison.path.steps[0];
    if (comparison.path.objectType !== fingerprintType || !step || !('property' in step))
      return false;
    if (comparison.operator !== '=' && comparison.operator !== 'IN') return false;
    tests.push({ property: step.property, value: comparison.value });
    return true;
  };
  if (!walk(tree.comparison)) return null;
  const strings = (value: PatternLiteral | PatternLiteral[]) =>
    (Array.isArray(value) ? value : [value]).flatMap((item) =>
      item.kind === 'string' ? [item.value] : [],
    );
  const one = (property: string) => {
    const found = tests
      .filter((test) => test.property === property)
      .flatMap((test) => strings(test.value));
    return found.length === 1 ? found[0] : null;
  };
  const kind = one('kind');
  const keyId = one('key_id');
  const values = tests
    .filter((test) => test.property === 'value')
    .flatMap((test) => strings(test.value));
  if (!kind || !keyId || values.length === 0) return null;
  if (!(fingerprintKinds as readonly string[]).includes(kind)) return null;
  return { kind: kind as FingerprintKind, keyId, values };
}

/** Every matchable partner indicator in the store, and the keys to match them. */
export async function loadPartnerIndicators(
  store: Pick<Store, 'intel'>,
  now = new Date(),
): Promise<LoadedPartnerIndicators> {
  const keys = (await store.intel.listIntelKeys()).map(({ keyId, secret }) => ({ keyId, secret }));
  const held = new Set(keys.map((key) => key.keyId));
  const identities = await latestReceived(store, 'identity');
  const indicators: PartnerIndicator[] = [];
  let withoutKey = 0;
  for (const [id, object] of await latestReceived(store, 'indicator')) {
    if (object.revoked === true || object.pattern_type !== 'stix') continue;
    if (typeof object.valid_until === 'string' && Date.parse(object.valid_until) < now.getTime())
      continue;
    if (typeof object.valid_from === 'string' && Date.parse(object.valid_from) > now.getTime())
      continue;
    const test = fingerprintTest(String(object.pattern));
    if (!test) continue;
    if (!held.has(test.keyId)) {
      withoutKey += 1;
      continue;
    }
    const creator = identities.get(String(object.created_by_ref))?.name;
    const sender = (await store.intel.readStixReceipts(id))[0]?.source;
    const partner =
      typeof creator === 'string'
        ? sender && sender !== creator
          ? `${creator} (via ${sender})`
          : creator
        : (sender ?? 'a partner');
    indicators.push({
      indicatorId: id,
      partner,
      ...test,
      validFrom: typeof object.valid_from === 'string' ? object.valid_from : null,
    });
  }
  return { keys, indicators, withoutKey };
}
