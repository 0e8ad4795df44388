// Low-and-slow campaign hidden in a proxy reseller's traffic: a few dozen reseller sub-accounts,
// on the reseller's addresses and cards like every customer there, each sending a handful of
// chain-of-thought harvesting requests a day in a human-looking rhythm.
import { singleEvent } from '../conversation.js';
import { fill, lowSlowTemplates } from '../elicitation-templates.js';
import type { SimAccount, SimEvent } from '../exchange.js';
import { countryUtcOffset, userAgents } from '../networks.js';
import type { Random } from '../random.js';
import { reasoningReply } from '../replies.js';
import { codingTask, mathTask } from '../task-generator.js';
import { hourMs, sampleActiveTime } from '../timing.js';
import {
  label,
  newKeyId,
  scaledCount,
  type Population,
  type SimulationContext,
} from '../context.js';
import { resellerAccountRecord, type Reseller } from './reseller.js';

export const lowSlowDefaults = {
  campaign: 'low-and-slow',
  accounts: 30,
  requestsPerDayMedian: 9,
  switchHours: 6,
};

export function lowAndSlowCampaign(
  context: SimulationContext,
  random: Random,
  reseller: Reseller,
): Population {
  const accounts: SimAccount[] = [];
  const events: SimEvent[] = [];
  const { window } = context;
  for (let index = 0; index < scaledCount(context, lowSlowDefaults.accounts, 3); index += 1) {
    const accountRandom = random.fork(index);
    const record = resellerAccountRecord(
      context,
      accountRandom,
      reseller,
      accountRandom.uniform(3, 60),
    );
    const userAgent = accountRandom.pick([...userAgents.browsers, ...userAgents.openaiPython]);
    const account: SimAccount = {
      id: record.account_id,
      keyIds: [newKeyId(accountRandom)],
      label: label('campaign', 'low-and-slow', lowSlowDefaults.campaign),
      record,
      client: (requestRandom) => ({ ...requestRandom.pick(reseller.egress), userAgent }),
    };
    const offset = countryUtcOffset[record.country ?? 'CN'] ?? 8;
    const requests = Math.max(
      1,
      accountRandom.poisson(
        accountRandom.logNormal(lowSlowDefaults.requestsPerDayMedian, 0.3) * window.days,
      ),
    );
    for (let request = 0; request < requests; request += 1) {
      const ts = sampleActiveTime(accountRandom, window.startMs, window.endMs, offset, 'consumer');
      events.push(
        singleEvent(account, ts, (eventRandom) => {
          const task = eventRandom.chance(0.5) ? codingTask(eventRandom) : mathTask(eventRandom);
          return {
            api: 'openai.chat',
            model:
              ts >= window.releaseMs + lowSlowDefaults.switchHours * hourMs
                ? context.models.next
                : context.models.current,
            temperature: 0.8,
            maxTokens: 4096,
            messages: [
              {
                role: 'user',
                content: fill(eventRandom.pick(lowSlowTemplates), { task: task.prompt }),
              },
            ],
            replies: [reasoningReply(context.pool, eventRandom, task.steps, task.answer)],
          };
        }),
      );
    }
    accounts.push(account);
  }
  return { accounts, events };
}
