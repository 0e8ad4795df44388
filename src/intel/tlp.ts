// Traffic Light Protocol 2.0 in STIX 2.1: the five marking definitions with the fixed ids and the
// extension that OASIS publishes for them (cti-stix-common-objects, tlp-2.0), and the order in
// which they restrict sharing.
import type { JsonObject } from '../core/index.js';

export const tlpLevels = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export type TlpLevel = (typeof tlpLevels)[number];

export const tlpExtensionId = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';

export const tlpMarkingIds: Record<TlpLevel, string> = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

/** The TLP 1.0 marking definitions of the STIX 2.1 specification (section 7.2.1.4), still common. */
export const tlp1MarkingIds: Record<'white' | 'green' | 'amber' | 'red', string> = {
  white: 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
  green: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
  amber: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
  red: 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
};

export function isTlpLevel(value: string): value is TlpLevel {
  return (tlpLevels as readonly string[]).includes(value);
}

/** The marking-definition object of a TLP 2.0 level, exactly as published. */
export function tlpMarkingDefinition(level: TlpLevel): JsonObject {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: tlpMarkingIds[level],
    created: '2022-10-01T00:00:00.000Z',
    name: `TLP:${level.toUpperCase()}`,
    extensions: { [tlpExtensionId]: { extension_type: 'property-extension', tlp_2_0: level } },
  };
}

/** The TLP level a marking-definition id stands for (TLP 1.0's WHITE is CLEAR), or null. */
export function tlpOfMarking(markingId: string): TlpLevel | null {
  for (const level of tlpLevels) if (tlpMarkingIds[level] === markingId) return level;
  for (const [level, id] of Object.entries(tlp1MarkingIds))
    if (id === markingId) return level === 'white' ? 'clear' : (level as TlpLevel);
  return null;
}

/** The most restrictive TLP among an object's markings (null: unmarked). */
export function tlpOfObject(object: JsonObject): TlpLevel | null {
  // granular markings count whole: a part marked RED makes the object RED for sharing
  const granular = Array.isArray(object.granular_markings)
    ? object.granular_markings.map((marking) =>
        marking && typeof marking === 'object' ? (marking as JsonObject).marking_ref : null,
      )
    : [];
  const refs = [
    ...(Array.isArray(object.object_marking_refs) ? object.object_marking_refs : []),
    ...granular,
  ];
  let strictest: TlpLevel | null = null;
  for (const ref of refs) {
    const level = typeof ref === 'string' ? tlpOfMarking(ref) : null;
    if (level && (strictest === null || tlpLevels.indexOf(level) > tlpLevels.indexOf(strictest)))
      strictest = level;
  }
  return strictest;
}
