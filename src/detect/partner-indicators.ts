// Partners' indicators as a detection signal: an account whose own templates, skeleton bands,
// payment fingerprint, email domain or id give a keyed fingerprint that a partner flagged gets
// evidence "matches partner indicator X from Y". The fingerprints are computed here from what the
// profile already keeps (core/keyed-fingerprint.ts, the same definition the exporter uses); client
// addresses are not matched (the pipeline keeps only their hashes). The weights are set by hand,
// not calibrated: a partner's finding is a lead that adds to an account's own evidence, strong
// enough to send a harvest-shaped account to review or extraction, and bounded by `cap`.
import { keyedFingerprint, type FingerprintKind } from '../core/index.js';
import type { AccountAssessment } from './score-account.js';

/** One partner indicator this detector can match: fingerprints of one kind under one key. */
export interface PartnerIndicator {
  indicatorId: string;
  /** Who sent it (the partner's name, or its identity's). */
  partner: string;
  kind: FingerprintKind;
  keyId: string;
  values: string[];
  validFrom: string | null;
}

/** What the detector needs: the community keys it holds and the indicators made with them. */
export interface PartnerIndicatorSet {
  keys: { keyId: string; secret: string }[];
  indicators: PartnerIndicator[];
}

/** An account that matched a partner indicator, for sightings (never shared with its id). */
export interface PartnerMatch {
  account_id: string;
  indicator_id: string;
  partner: string;
  kind: FingerprintKind;
  first_ms: number;
  last_ms: number;
  requests: number;
}

export const partnerWeights = {
  /** First match of each kind; each further template adds `extraTemplate`, at most twice. */
  kind: {
    template: 3,
    'template-band': 1.5,
    payment: 3,
    'email-domain': 1,
    account: 4,
    'client-address': 1,
  } satisfies Record<FingerprintKind, number>,
  extraTemplate: 1,
  cap: 6,
};

export class PartnerMatcher {
  private readonly keys: { keyId: string; secret: string }[];
  /** keyId -> 'kind:fingerprint' -> indicators. */
  private readonly lookup = new Map<string, Map<string, PartnerIndicator[]>>();
  private readonly kinds = new Set<FingerprintKind>();

  constructor(set: PartnerIndicatorSet) {
    const held = new Set(set.keys.map((key) => key.keyId));
    for (const indicator of set.indicators) {
      if (!held.has(indicator.keyId)) continue;
      let byValue = this.lookup.get(indicator.keyId);
      if (!byValue) this.lookup.set(indicator.keyId, (byValue = new Map()));
      for (const value of indicator.values) {
        const slot = `${indicator.kind}:${value}`;
        byValue.set(slot, [...(byValue.get(slot) ?? []), indicator]);
      }
      this.kinds.add(indicator.kind);
    }
    this.keys = set.keys.filter((key) => this.lookup.has(key.keyId));
  }

  get empty(): boolean {
    return this.keys.length === 0;
  }

  /** The partner indicators this account's own traffic and record match. */
  matches(assessment: AccountAssessment): PartnerIndicator[] {
    const { profile, facts } = assessment;
    const raw: [FingerprintKind, (string | number)[]][] = [
      ['template', profile.templateKeys(2)],
      ['template-band', profile.skeletonKeys(2)],
      ['payment', facts.paymentFingerprint ? [facts.paymentFingerprint] : []],
      ['email-domain', facts.emailDomain ? [facts.emailDomain] : []],
      ['account', [assessment.accountId]],
    ];
    const found = new Map<string, PartnerIndicator>();
    for (const key of this.keys) {
      const byValue = this.lookup.get(key.keyId) as Map<string, PartnerIndicator[]>;
      for (const [kind, values] of raw) {
        if (!this.kinds.has(kind)) continue;
        for (const value of values)
          for (const indicator of byValue.get(
            `${kind}:${keyedFingerprint(key.secret, kind, value)}`,
          ) ?? [])
            found.set(indicator.indicatorId, indicator);
      }
    }
    return [...found.values()];
  }
}

/** Adds the matches to the account's evidence and score; returns the weight added. */
export function addPartnerEvidence(
  assessment: AccountAssessment,
  matched: PartnerIndicator[],
): number {
  if (matched.length === 0) return 0;
  let weight = 0;
  const seen = new Map<FingerprintKind, number>();
  for (const indicator of matched) {
    const count = (seen.get(indicator.kind) ?? 0) + 1;
    seen.set(indicator.kind, count);
    if (count === 1) weight += partnerWeights.kind[indicator.kind];
    else if (indicator.kind === 'template' && count <= 3) weight += partnerWeights.extraTemplate;
  }
  weight = Math.min(partnerWeights.cap, weight);
  const first = matched[0];
  const others = matched.length > 1 ? ` and ${matched.length - 1} more` : '';
  assessment.evidence.push({
    signal: 'partner_indicator',
    weight,
    detail: `matches partner indicator ${first.indicatorId} (${first.kind}) from ${first.partner}${first.validFrom ? `, first seen ${first.validFrom}` : ''}${others}`,
  });
  assessment.score += weight;
  return weight;
}
