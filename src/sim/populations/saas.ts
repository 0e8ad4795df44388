// SaaS integrators: one product wrapping its users' content in one fixed template at high volume,
// with the rhythm of their customers' working day, a narrow domain and no fan-out across accounts.
import { fillWrapper, saasWrappers } from '../benign-prompts.js';
import { singleEvent } from '../conversation.js';
import type { SimAccount, SimEvent } from '../exchange.js';
import { countryUtcOffset, userAgents } from '../networks.js';
import type { Random } from '../random.js';
import { chatReply } from '../replies.js';
import { sampleActiveTime } from '../timing.js';
import {
  label,
  newKeyId,
  scaledCount,
  type Population,
  type SimulationContext,
} from '../context.js';
import { egressClient, organization } from './organizations.js';

export const saasDefaults = {
  accounts: 12,
  requestsPerDayMedian: 2200,
  requestsPerDaySpread: 0.45,
};

export function saasIntegrators(context: SimulationContext, random: Random): Population {
  const accounts: SimAccount[] = [];
  const events: SimEvent[] = [];
  const { window } = context;
  for (let index = 0; index < scaledCount(context, saasDefaults.accounts); index += 1) {
    const saasRandom = random.fork(index);
    const org = organization(context, saasRandom, {
      egressAddresses: saasRandom.between(2, 6),
      ageDaysMedian: 500,
    });
    org.record.verification = 'organization';
    const wrapper = saasRandom.pick(saasWrappers);
    const userAgent = saasRandom.pick([...userAgents.openaiPython, ...userAgents.openaiNode]);
    const account: SimAccount = {
      id: org.record.account_id,
      keyIds: [newKeyId(saasRandom)],
      label: label('benign', 'saas'),
      record: org.record,
      client: egressClient(org.egress, userAgent),
    };
    const offset = countryUtcOffset[org.country] ?? 0;
    const rhythm = saasRandom.chance(0.6) ? 'work' : 'consumer';
    const total = saasRandom.poisson(
      saasRandom.logNormal(saasDefaults.requestsPerDayMedian, saasDefaults.requestsPerDaySpread) *
        window.days,
    );
    const model = saasRandom.chance(0.5) ? context.models.small : context.models.current;
    for (let request = 0; request < total; request += 1) {
      const ts = sampleActiveTime(saasRandom, window.startMs, window.endMs, offset, rhythm);
      events.push(
        singleEvent(account, ts, (eventRandom) => ({
          api: 'openai.chat',
          model,
          temperature: 0.3,
          maxTokens: 512,
          messages: [
            {
              role: 'user',
              content: fillWrapper(
                wrapper,
                context.pool.document(eventRandom, eventRandom.between(1, 3)),
              ),
            },
          ],
          replies: [chatReply(context.pool, eventRandom, 1)],
          status: eventRandom.chance(0.004) ? 429 : 200,
        })),
      );
    }
    accounts.push(account);
  }
  return { accounts, events };
}
