import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from './evaluate.js';
import { labelsOf, manyLabels, reported, reportOf } from './sample-inputs.js';

const campaign = (id: string) => ({
  class: 'campaign' as const,
  persona: 'hydra-coding',
  campaign: id,
});
const benign = (persona: string) => ({ class: 'benign' as const, persona });
const benchmark = { class: 'benchmark' as const, persona: 'eval-harness' };

// 6 campaign accounts (a1-a4 in c1, b1-b2 in c2), 10 benign (6 individual, 4 app), 2 benchmark.
const mixedLabels = labelsOf({
  a1: campaign('c1'),
  a2: campaign('c1'),
  a3: campaign('c1'),
  a4: campaign('c1'),
  b1: campaign('c2'),
  b2: campaign('c2'),
  ...manyLabels('ind', 6, benign('individual')),
  ...manyLabels('app', 4, benign('app')),
  k1: benchmark,
  k2: benchmark,
});

describe('evaluate: account-level metrics', () => {
  it('gives the precision, recall and false-positive rate computed by hand', () => {
    const report = reportOf([
      reported('a1', 'extraction', 'R1'),
      reported('a2', 'extraction', 'R1'),
      reported('a3', 'extraction', 'R1'),
      reported('b1', 'extraction', 'R2'),
      reported('ind1', 'extraction', null), // the one false positive
      reported('a4', 'review'),
      reported('ind2', 'review'),
      reported('k1', 'review'),
      reported('k2', 'benchmark'),
    ]);
    const result = evaluate(mixedLabels, report);

    assert.deepEqual(result.extraction, {
      true_positives: 4,
      false_positives: 1,
      false_negatives: 2, // a4 (review) and b2 (not listed)
      true_negatives: 11, // 12 non-campaign accounts less the false positive
      precision: 4 / 5,
      recall: 4 / 6,
      false_positive_rate: 1 / 12,
    });
    assert.deepEqual(result.labels, { accounts: 18, benign: 10, benchmark: 2, campaign: 6 });
    assert.deepEqual(result.report, {
      accounts: 9,
      extraction: 5,
      review: 3,
      benchmark: 1,
      campaigns: 2,
    });
  });

  it('breaks the benign accounts down per persona, with the review share', () => {
    const report = reportOf([
      reported('ind1', 'extraction'),
      reported('ind2', 'review'),
      reported('ind3', 'review'),
      reported('app1', 'benchmark'),
    ]);
    const [app, individual] = evaluate(mixedLabels, report).benign_personas;

    assert.deepEqual(app, {
      persona: 'app',
      accounts: 4,
      extraction: 0,
      review: 0,
      benchmark: 1,
      unflagged: 3,
      extraction_share: 0,
      review_share: 0,
      benchmark_share: 0.25,
    });
    assert.equal(individual.persona, 'individual');
    assert.equal(individual.extraction, 1);
    assert.equal(individual.review, 2);
    assert.equal(individual.review_share, 2 / 6);
  });

  it('gives precision null, not 0 or 1, when nothing is flagged', () => {
    const result = evaluate(mixedLabels, reportOf([reported('a1', 'review')]));

    assert.equal(result.extraction.precision, null);
    assert.equal(result.extraction.recall, 0);
    assert.equal(result.extraction.false_positive_rate, 0);
  });

  it('counts benchmark accounts flagged extraction as false positives and reports them', () => {
    const report = reportOf([reported('k1', 'extraction', null), reported('k2', 'benchmark')]);
    const result = evaluate(mixedLabels, report);

    assert.equal(result.extraction.false_positives, 1);
    assert.equal(result.benchmark.accounts, 2);
    assert.equal(result.benchmark.extraction, 1);
    assert.equal(result.benchmark.benchmark, 1);
    assert.equal(result.benchmark.recognised_share, 0.5);
    assert.deepEqual(
      result.benchmark.personas.map((row) => [row.persona, row.extraction, row.benchmark]),
      [['eval-harness', 1, 1]],
    );
  });
});

describe('evaluate: campaigns', () => {
  it('gives the share under the largest report campaign when a campaign is split over two ids', () => {
    const report = reportOf([
      reported('a1', 'extraction', 'R1'),
      reported('a2', 'extraction', 'R1'),
      reported('a3', 'extraction', 'R1'),
      reported('a4', 'extraction', 'R2'),
    ]);
    const c1 = evaluate(mixedLabels, report).campaigns.find((row) => row.campaign_id === 'c1');

    assert.ok(c1);
    assert.equal(c1.recall, 1);
    assert.equal(c1.dominant_report_campaign, 'R1');
    assert.equal(c1.grouping_share, 3 / 4);
    assert.equal(c1.spread_over_report_campaigns, 2);
    assert.equal(c1.ungrouped, 0);
  });

  it('counts a null or absent campaign_id as ungrouped, never as a group of its own', () => {
    const report = reportOf([
      reported('a1', 'extraction', null),
      reported('a2', 'extraction'),
      reported('a3', 'extraction', null),
      reported('a4', 'extraction', 'R1'),
    ]);
    const c1 = evaluate(mixedLabels, report).campaigns.find((row) => row.campaign_id === 'c1');

    assert.ok(c1);
    assert.equal(c1.ungrouped, 3);
    assert.equal(c1.dominant_report_campaign, 'R1');
    assert.equal(c1.grouping_share, 1 / 4);
    assert.equal(c1.spread_over_report_campaigns, 1);
  });

  it('has no dominant group and a grouping share of 0 when every flagged account is ungrouped', () => {
    const report = reportOf([reported('b1', 'extraction', null), reported('b2', 'review')]);
    const c2 = evaluate(mixedLabels, report).campaigns.find((row) => row.campaign_id === 'c2');

    assert.deepEqual(c2, {
      campaign_id: 'c2',
      accounts: 2,
      extraction: 1,
      review: 1,
      benchmark: 0,
      unflagged: 0,
      recall: 0.5,
      ungrouped: 1,
      dominant_report_campaign: null,
      grouping_share: 0,
      spread_over_report_campaigns: 0,
    });
  });

  it('gives a null grouping share to a campaign with nothing flagged', () => {
    const c2 = evaluate(mixedLabels, reportOf([])).campaigns.find(
      (row) => row.campaign_id === 'c2',
    );

    assert.equal(c2?.recall, 0);
    assert.equal(c2?.grouping_share, null);
  });

  it('gives each report campaign its purity, with benign members as impurity', () => {
    const report = reportOf(
      [
        reported('a1', 'extraction', 'R1'),
        reported('a2', 'extraction', 'R1'),
        reported('b1', 'extraction', 'R1'),
        reported('ind1', 'extraction', 'R1'),
      ],
      { R1: ['a1', 'a2', 'b1', 'ind1', 'k1'] },
    );
    const [r1] = evaluate(mixedLabels, report).report_campaigns;

    assert.deepEqual(r1, {
      campaign_id: 'R1',
      accounts: 5,
      campaign_members: 3,
      benign_members: 1,
      benchmark_members: 1,
      unknown_members: 0,
      dominant_campaign: 'c1',
      purity: 2 / 5,
    });
  });
});

describe('evaluate: mismatched files', () => {
  it('lists report accounts missing from the labels and counts them as neither TP nor FP', () => {
    const strangers = Array.from({ length: 12 }, (_, index) =>
      reported(`stranger${index + 1}`, 'extraction', null),
    );
    const result = evaluate(mixedLabels, reportOf([reported('a1', 'extraction'), ...strangers]));

    assert.equal(result.unknown_accounts.count, 12);
    assert.deepEqual(
      result.unknown_accounts.examples,
      strangers.slice(0, 10).map((account) => account.account_id),
    );
    assert.equal(result.extraction.true_positives, 1);
    assert.equal(result.extraction.false_positives, 0);
    assert.match(
      result.warnings.join('\n'),
      /12 of 13 of the report's accounts are not in the labels.*do not belong together/,
    );
  });

  it('treats a report account named like an Object property as unknown', () => {
    const result = evaluate(mixedLabels, reportOf([reported('toString', 'extraction')]));

    assert.equal(result.unknown_accounts.count, 1);
    assert.equal(result.extraction.false_positives, 0);
  });
});

describe('evaluate: JSON output', () => {
  it('survives a JSON round trip unchanged, so no field is undefined', () => {
    const result = evaluate(
      mixedLabels,
      reportOf([reported('a1', 'extraction', 'R1'), reported('zz', 'review')]),
    );

    assert.deepEqual(JSON.parse(JSON.stringify(result)), result);
    assert.equal(result.schema, 'distillguard.eval/v1');
  });
});
