// Scheduled batch jobs: a nightly cron run over a backlog of records at a fixed concurrency,
// temperature 0, one template per job.
import { batchWrappers, fillWrapper } from '../benign-prompts.js';
import { singleEvent } from '../conversation.js';
import type { SimAccount, SimEvent } from '../exchange.js';
import { countryUtcOffset, userAgents } from '../networks.js';
import type { Random } from '../random.js';
import { chatReply } from '../replies.js';
import { dayStarts, hourMs } from '../timing.js';
import {
  label,
  newKeyId,
  scaledCount,
  type Population,
  type SimulationContext,
} from '../context.js';
import { egressClient, organization } from './organizations.js';

export const batchDefaults = {
  accounts: 25,
  recordsPerNightMedian: 450,
  recordsPerNightSpread: 0.6,
};

export function batchJobs(context: SimulationContext, random: Random): Population {
  const accounts: SimAccount[] = [];
  const events: SimEvent[] = [];
  const { window } = context;
  for (let index = 0; index < scaledCount(context, batchDefaults.accounts); index += 1) {
    const jobRandom = random.fork(index);
    const org = organization(context, jobRandom, {
      egressAddresses: jobRandom.between(1, 2),
      ageDaysMedian: 400,
    });
    const wrapper = jobRandom.pick(batchWrappers);
    const userAgent = jobRandom.pick([
      ...userAgents.openaiPython,
      'python-httpx/0.27.2',
      'python-requests/2.31.0',
    ]);
    const account: SimAccount = {
      id: org.record.account_id,
      keyIds: [newKeyId(jobRandom)],
      label: label('benign', 'batch'),
      record: org.record,
      client: egressClient(org.egress, userAgent),
    };
    const offset = countryUtcOffset[org.country] ?? 0;
    // local 01:00-04:00, the same minute every night
    const localStartMs = (1 + jobRandom.uniform(0, 3)) * hourMs;
    const concurrency = jobRandom.pick([2, 4, 8, 16]);
    const secondsPerRequest = jobRandom.uniform(0.8, 3);
    const weekdaysOnly = jobRandom.chance(0.3);
    for (const dayStart of dayStarts(window)) {
      const startMs = dayStart + localStartMs - offset * hourMs;
      const weekday = new Date(startMs + offset * hourMs).getUTCDay();
      if (weekdaysOnly && (weekday === 0 || weekday === 6)) continue;
      const nightRandom = jobRandom.fork(dayStart);
      const records = Math.round(
        nightRandom.logNormal(
          batchDefaults.recordsPerNightMedian,
          batchDefaults.recordsPerNightSpread,
        ),
      );
      for (let record = 0; record < records; record += 1) {
        const ts =
          startMs +
          Math.floor(record / concurrency) * secondsPerRequest * 1000 +
          nightRandom.uniform(0, 400);
        if (ts < window.startMs || ts >= window.endMs) continue;
        events.push(
          singleEvent(account, ts, (eventRandom) => ({
            api: 'openai.chat',
            model: context.models.small,
            temperature: 0,
            maxTokens: 128,
            messages: [
              {
                role: 'user',
                content: fillWrapper(
                  wrapper,
                  context.pool.paragraph(eventRandom, eventRandom.between(2, 6)),
                ),
              },
            ],
            replies: [chatReply(context.pool, eventRandom, 1)],
          })),
        );
      }
    }
    accounts.push(account);
  }
  return { accounts, events };
}
