// Researchers benchmarking models: labs of 1-4 accounts on a university network, running finite
// public item sets in bursts at a fixed concurrency, eagerly on the day a new model comes out.
import type { Account } from '../../core/index.js';
import { suiteExchange, suiteNames, suiteSize, type SuiteName } from '../benchmark-suites.js';
import { singleEvent } from '../conversation.js';
import type { SimAccount, SimEvent } from '../exchange.js';
import { countryUtcOffset, userAgents } from '../networks.js';
import type { Random } from '../random.js';
import { hourMs, sampleActiveTime } from '../timing.js';
import {
  createdBefore,
  label,
  newAccountId,
  newKeyId,
  newPaymentFingerprint,
  scaledCount,
  type Population,
  type SimulationContext,
} from '../context.js';

export const benchmarkDefaults = {
  labs: 14,
  maxAccountsPerLab: 4,
  plannedRunsPerLab: [1, 3] as const,
  /** Share of labs that evaluate the new model within hours of its release. */
  eagerShare: 0.7,
  concurrencies: [4, 8, 16, 32] as const,
};

export function benchmarkLabs(context: SimulationContext, random: Random): Population {
  const accounts: SimAccount[] = [];
  const events: SimEvent[] = [];
  const { window, corpus } = context;
  for (let index = 0; index < scaledCount(context, benchmarkDefaults.labs, 2); index += 1) {
    const labRandom = random.fork(index);
    const university = labRandom.pick(context.internet.universities);
    const nat = [
      context.internet.addressIn(university, labRandom),
      context.internet.addressIn(university, labRandom),
    ];
    const domain = `${university.name.toLowerCase().replace(/[^a-z]+/g, '')}.edu`;
    const orgId = `org_${labRandom.token(10)}`;
    const sharedCard = labRandom.chance(0.5) ? newPaymentFingerprint(labRandom) : null;
    const userAgent = labRandom.pick([
      ...userAgents.openaiPython,
      'python-httpx/0.27.2',
      ...userAgents.anthropicPython,
    ]);
    const api = userAgent.startsWith('Anthropic') ? 'anthropic.messages' : 'openai.chat';
    const members: SimAccount[] = Array.from(
      { length: labRandom.between(1, benchmarkDefaults.maxAccountsPerLab) },
      (_, member) => {
        const record: Account = {
          account_id: newAccountId(labRandom),
          created_at: createdBefore(
            context,
            member === 0 ? labRandom.logNormal(300, 0.7) : labRandom.logNormal(40, 1),
          ),
          verification: labRandom.pick(['education', 'research'] as const),
          org_id: orgId,
          email_domain: domain,
          payment_fingerprint: sharedCard ?? newPaymentFingerprint(labRandom),
          country: university.country,
          signup_ip: nat[0].ip,
        };
        return {
          id: record.account_id,
          keyIds: [newKeyId(labRandom)],
          label: label('benchmark', 'benchmark-lab'),
          record,
          client: (requestRandom) => ({ ...requestRandom.pick(nat), userAgent }),
        };
      },
    );
    const offset = countryUtcOffset[university.country] ?? 0;
    const runs: { start: number; model: string }[] = [];
    const planned = labRandom.between(...benchmarkDefaults.plannedRunsPerLab);
    for (let run = 0; run < planned; run += 1) {
      runs.push({
        start: sampleActiveTime(
          labRandom,
          window.startMs,
          window.endMs - 6 * hourMs,
          offset,
          'work',
        ),
        model: context.models.current,
      });
    }
    if (labRandom.chance(benchmarkDefaults.eagerShare) && window.releaseMs < window.endMs) {
      runs.push({
        start: window.releaseMs + labRandom.uniform(0.5, 8) * hourMs,
        model: context.models.next,
      });
    }
    for (const [runIndex, run] of runs.entries()) {
      const runRandom = labRandom.fork(`run${runIndex}`);
      const suites = runRandom.sample(suiteNames, runRandom.between(1, 3)) as SuiteName[];
      const concurrency = runRandom.pick(benchmarkDefaults.concurrencies);
      const sharded = members.length > 1 && runRandom.chance(0.6);
      let clock = run.start;
      for (const suite of suites) {
        const size = suiteSize(corpus, suite);
        const items = runRandom.chance(0.6) ? size : Math.min(size, runRandom.between(200, 1000));
        const secondsPerItem = runRandom.uniform(1.5, 6);
        const repeats = suite === 'humaneval-passk' && api === 'anthropic.messages' ? 5 : 1;
        for (let item = 0; item < items; item += 1) {
          for (let repeat = 0; repeat < repeats; repeat += 1) {
            const slot = item * repeats + repeat;
            const ts =
              clock +
              Math.floor(slot / concurrency) * secondsPerItem * 1000 +
              runRandom.uniform(0, 300);
            if (ts >= window.endMs) break;
            const member = sharded ? members[item % members.length] : members[0];
            events.push(
              singleEvent(member, ts, (eventRandom) =>
                suiteExchange(corpus, suite, item, api, run.model, eventRandom),
              ),
            );
          }
        }
        clock +=
          Math.ceil((items * repeats) / concurrency) * secondsPerItem * 1000 +
          runRandom.uniform(2, 20) * 60_000;
      }
    }
    accounts.push(...members);
  }
  return { accounts, events };
}
