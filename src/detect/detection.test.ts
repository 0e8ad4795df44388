import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Interaction } from '../core/index.js';
import { loadCorpus } from '../sim/index.js';
import { chat, freshContent } from '../test-support/interactions.js';
import { unknownAccount, type AccountFacts } from './account-facts.js';
import { BenchmarkIndex } from './benchmarks/benchmark-index.js';
import { buildFindings, type Findings } from './findings.js';
import { DetectionPipeline } from './pipeline.js';

const benchmarks = BenchmarkIndex.builtIn();
const start = Date.parse('2026-02-02T00:00:00Z');
const hour = 3_600_000;

function analyse(records: Interaction[], facts = new Map<string, AccountFacts>()): Findings {
  const pipeline = new DetectionPipeline(benchmarks);
  for (const record of records.sort((a, b) => a.ts.localeCompare(b.ts)))
    pipeline.observe(record, Date.parse(record.ts));
  return buildFindings(pipeline.observed, facts);
}

function verdictOf(findings: Findings, account: string): string | undefined {
  return findings.accounts.find((entry) => entry.account_id === account)?.verdict;
}

test('a benchmark run with "Let\'s think step by step" is recognised as benchmark, never extraction', () => {
  const corpus = loadCorpus();
  const records = corpus.gsm8k.map((item, index) =>
    chat({
      account: 'lab',
      ts: start + 10 * hour + Math.floor(index / 16) * 3000,
      ip: '18.7.1.10',
      temperature: 0,
      maxTokens: 512,
      text: `Q: ${item.question}\nA: Let's think step by step.`,
    }),
  );
  const findings = analyse(
    records,
    new Map([
      [
        'lab',
        { ...unknownAccount, verification: 'research', createdAtMs: start - 400 * 24 * hour },
      ],
    ]),
  );
  assert.equal(verdictOf(findings, 'lab'), 'benchmark');
  assert.match(findings.accounts[0].reasons[0].detail, /gsm8k/);
});

test('a SaaS product wrapping new content in one template at 20,000 requests a day is not extraction', () => {
  const records: Interaction[] = [];
  for (let index = 0; index < 20_000; index += 1) {
    // office hours of one time zone, like the product's customers
    const ts = start + Math.floor(index / 2000) * 24 * hour + 8 * hour + (index % 2000) * 16_000;
    records.push(
      chat({
        account: 'saas',
        ts,
        ip: '52.1.2.3',
        text: `Summarize the following customer support ticket in three bullet points, then suggest a reply.\n\nTicket:\n"""\n${freshContent(index, 40)}\n"""`,
      }),
    );
  }
  const findings = analyse(records);
  assert.notEqual(verdictOf(findings, 'saas'), 'extraction');
});

test('300 small accounts sharing templates, cards and proxies are one campaign, every account flagged', () => {
  const templates = [
    (task: string) =>
      `You are an expert software engineer. Solve the task below. Before writing any code, think through the problem step by step and write out your complete reasoning.\n\nTask:\n${task}`,
    (task: string) =>
      `${task}\n\nExplain your thought process in detail, step by step, including the alternatives you considered, then provide the final code.`,
  ];
  const records: Interaction[] = [];
  const facts = new Map<string, AccountFacts>();
  let seed = 0;
  for (let account = 0; account < 300; account += 1) {
    const id = `h${account}`;
    facts.set(id, {
      ...unknownAccount,
      verification: 'email',
      createdAtMs: start - 2 * hour + (account % 40) * 60_000,
      paymentFingerprint: `card${account % 10}`,
    });
    for (let request = 0; request < 40; request += 1) {
      seed += 1;
      records.push(
        chat({
          account: id,
          ts: start + ((seed * 7919) % (72 * 60)) * 60_000,
          ip: `100.${(seed * 13) % 50}.${(seed * 7) % 30}.${seed % 200}`,
          maxTokens: 8192,
          text: templates[request % 2](`Write a function that ${freshContent(seed)}`),
        }),
      );
    }
  }
  const findings = analyse(records, facts);
  const flagged = findings.accounts.filter((entry) => entry.verdict === 'extraction');
  assert.equal(flagged.length, 300);
  assert.equal(findings.campaigns.length, 1);
  assert.equal(findings.campaigns[0].accounts.length, 300);
  assert.ok(findings.campaigns[0].reasons.some((reason) => /shared payment/.test(reason.detail)));
  assert.match(flagged[0].reasons[0].detail, /recurring prompt template/);
});

test('a person chatting, sometimes asking for step-by-step explanations, is left alone', () => {
  const records: Interaction[] = [];
  for (let day = 0; day < 7; day += 1) {
    for (let turn = 0; turn < 6; turn += 1) {
      records.push(
        chat({
          account: 'person',
          ts: start + day * 24 * hour + 19 * hour + turn * 90_000,
          ip: '73.22.14.9',
          history: turn > 0 ? ['How do vaccines work?', 'They train the immune system.'] : [],
          text:
            turn % 3 === 0
              ? `Can you explain ${freshContent(day * 10 + turn, 5)} step by step?`
              : `Thanks! And ${freshContent(day * 10 + turn, 6)}?`,
        }),
      );
    }
  }
  assert.equal(verdictOf(analyse(records), 'person'), undefined);
});

test('a reseller pool alone does not convict: 120 ordinary customers on one proxy address and one card are not flagged', () => {
  const records: Interaction[] = [];
  const facts = new Map<string, AccountFacts>();
  for (let account = 0; account < 120; account += 1) {
    const id = `customer${account}`;
    facts.set(id, {
      ...unknownAccount,
      verification: 'email',
      paymentFingerprint: 'reseller-card',
      createdAtMs: start - 30 * 24 * hour,
    });
    for (let request = 0; request < 12; request += 1) {
      records.push(
        chat({
          account: id,
          ts: start + (account % 7) * 24 * hour + (18 + (request % 4)) * hour + request * 60_000,
          ip: '185.1.1.1',
          history: request % 3 ? ['earlier question', 'earlier answer'] : [],
          text: `Could you help me with ${freshContent(account * 100 + request, 9)}?`,
        }),
      );
    }
  }
  const findings = analyse(records, facts);
  assert.deepEqual(
    findings.accounts.filter((entry) => entry.verdict !== 'benchmark'),
    [],
  );
  assert.deepEqual(findings.campaigns, []);
});

test('campaign ids are stable: the same operator analysed over a shorter and a longer window keeps its id', () => {
  const build = (days: number) => {
    const records: Interaction[] = [];
    const facts = new Map<string, AccountFacts>();
    let seed = 0;
    for (let account = 0; account < 40; account += 1) {
      facts.set(`op${account}`, {
        ...unknownAccount,
        verification: 'email',
        paymentFingerprint: `card${account % 4}`,
        createdAtMs: start - hour,
      });
      for (let request = 0; request < days * 12; request += 1) {
        seed += 1;
        records.push(
          chat({
            account: `op${account}`,
            ts: start + ((seed * 7919) % (days * 24 * 60)) * 60_000,
            ip: `100.${seed % 40}.${(seed * 3) % 20}.${seed % 250}`,
            text: `Question: ${freshContent(seed)}\nWalk me through your complete chain of thought before stating the final answer on the last line.`,
          }),
        );
      }
    }
    return analyse(records, facts);
  };
  const shorter = build(2);
  const longer = build(4);
  assert.equal(shorter.campaigns.length, 1);
  assert.equal(longer.campaigns.length, 1);
  assert.equal(shorter.campaigns[0].campaign_id, longer.campaigns[0].campaign_id);
});

test('an evaluation run of a private set in no index, chain-of-thought prompts and all, is protected as benchmark', () => {
  const records = Array.from({ length: 600 }, (_, index) =>
    chat({
      account: 'lin',
      ts: start + 14 * hour + Math.floor(index / 8) * 2500 + (index % 8) * 100,
      ip: '171.64.1.20',
      temperature: 0,
      maxTokens: 512,
      text: `Problem: ${freshContent(index + 5000, 20)}\nAnswer: Let's think step by step.`,
    }),
  );
  const findings = analyse(
    records,
    new Map([['lin', { ...unknownAccount, verification: 'education' }]]),
  );
  assert.equal(verdictOf(findings, 'lin'), 'benchmark');
  assert.match(findings.accounts[0].reasons[0].detail, /evaluation run/);
});

test('accounts running reworded variants of one template are linked through their MinHash skeletons', async () => {
  const { buildAccountGraph } = await import('./account-graph.js');
  const { assessAccount } = await import('./score-account.js');
  const templates = [
    (task: string) =>
      `You are an expert software engineer. Solve the task below. Before writing any code, think through the problem step by step and write out your complete reasoning.\n\nTask:\n${task}\n\nAfter the code, list the edge cases you handled and state the time and space complexity in plain words.`,
    (task: string) =>
      `You are a senior software engineer. Solve the task below. Before writing any code, think through the problem step by step and write out your full reasoning.\n\nTask:\n${task}\n\nAfter the code, list the edge cases you handled and state the time and space complexity in plain words.`,
  ];
  const pipeline = new DetectionPipeline(benchmarks);
  let seed = 0;
  for (const [index, account] of ['variant-a', 'variant-b'].entries()) {
    for (let request = 0; request < 30; request += 1) {
      seed += 1;
      const content = Array.from(
        { length: 100 },
        (_, word) => `w${(seed * 7919 + word * 104_729) % 1_000_003}`,
      ).join(' ');
      const record = chat({
        account,
        ts: start + seed * 600_000,
        ip: `10.${index}.0.1`,
        text: templates[index](content),
      });
      pipeline.observe(record, Date.parse(record.ts));
    }
  }
  const assessments = [...pipeline.observed.profiles.values()].map((profile) =>
    assessAccount(profile, unknownAccount, pipeline.observed),
  );
  const graph = buildAccountGraph(assessments, assessments, pipeline.observed);
  const link = graph.links.get('variant-a|variant-b');
  assert.ok(link, 'the two accounts are linked');
  assert.ok(link.kinds.has('skeleton'));
  assert.ok(!link.kinds.has('template'), 'their exact template keys differ');
});
