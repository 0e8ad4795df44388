// Reward-model and reasoning-trace extraction: a work queue load-balanced over dozens of accounts
// in synchronised waves, each wave one template family (rubric grading, pairwise comparison,
// reasoning reconstruction, censorship-safe rewrites), from a few cloud ranges, around the clock.
import type { Account } from '../../core/index.js';
import { singleEvent } from '../conversation.js';
import { fill, rewardTemplates, type RewardFamily } from '../elicitation-templates.js';
import type { SimAccount, SimEvent } from '../exchange.js';
import { userAgents } from '../networks.js';
import type { Random } from '../random.js';
import { chatReply, gradeReply, reasoningReply } from '../replies.js';
import { hourMs, minuteMs } from '../timing.js';
import {
  isoTime,
  label,
  newAccountId,
  newKeyId,
  newPaymentFingerprint,
  scaledCount,
  type Population,
  type SimulationContext,
} from '../context.js';

export const rewardDefaults = {
  campaign: 'reward-trace',
  accounts: 60,
  shellOrganizations: 5,
  waveMinutes: 10,
  /** Tasks per wave at scale 1 (spread round-robin over the accounts). */
  tasksPerWave: 120,
  switchHours: 2,
};

const families: readonly [RewardFamily, number][] = [
  ['rubric', 3],
  ['pairwise', 3],
  ['articulate', 3],
  ['safeRewrite', 1],
];

export function rewardTraceCampaign(context: SimulationContext, random: Random): Population {
  const { window, corpus, pool } = context;
  const count = scaledCount(context, rewardDefaults.accounts, 4);
  const orgs = Array.from({ length: rewardDefaults.shellOrganizations }, () => ({
    orgId: `org_${random.token(10)}`,
    domain: `${random.pick(['sino', 'apex', 'lumi', 'vast', 'zen'])}${random.pick(['mind', 'labs', 'data'])}-ai.com`,
    card: newPaymentFingerprint(random),
  }));
  const clouds = random.sample(
    context.internet.clouds.filter((network) =>
      ['Alibaba Cloud', 'Tencent Cloud', 'Vultr', 'Oracle Cloud'].includes(network.name),
    ),
    3,
  );
  const addresses = Array.from({ length: 20 }, () =>
    context.internet.addressIn(random.pick(clouds), random),
  );
  const burstTimes = [
    window.startMs - random.uniform(5, 20) * 24 * hourMs,
    window.startMs - random.uniform(1, 4) * 24 * hourMs,
  ];
  const userAgent = userAgents.openaiPython[2];
  const accounts: SimAccount[] = Array.from({ length: count }, (_, index) => {
    const accountRandom = random.fork(index);
    const org = accountRandom.pick(orgs);
    const record: Account = {
      account_id: newAccountId(accountRandom),
      created_at: isoTime(accountRandom.pick(burstTimes) + accountRandom.uniform(0, 45) * minuteMs),
      verification: accountRandom.weighted<NonNullable<Account['verification']>>([
        ['startup', 60],
        ['card', 40],
      ]),
      org_id: org.orgId,
      email_domain: org.domain,
      payment_fingerprint: org.card,
      country: accountRandom.pick(['SG', 'US', 'HK']),
      signup_ip: accountRandom.pick(addresses).ip,
    };
    const own = accountRandom.sample(addresses, 2);
    return {
      id: record.account_id,
      keyIds: [newKeyId(accountRandom)],
      label: label('campaign', 'reward-trace', rewardDefaults.campaign),
      record,
      client: (requestRandom) => ({ ...requestRandom.pick(own), userAgent }),
    };
  });
  const events: SimEvent[] = [];
  const tasksPerWave = Math.max(count, Math.round(rewardDefaults.tasksPerWave * context.scale));
  let cursor = 0;
  for (
    let wave = window.startMs + random.uniform(0, rewardDefaults.waveMinutes) * minuteMs;
    wave < window.endMs;
    wave += rewardDefaults.waveMinutes * minuteMs
  ) {
    const waveRandom = random.fork(`wave${wave}`);
    const family = waveRandom.weighted(families);
    for (let task = 0; task < tasksPerWave; task += 1) {
      const account = accounts[cursor++ % accounts.length];
      const ts = wave + waveRandom.uniform(0, 25_000);
      if (ts >= window.endMs) continue;
      events.push(
        singleEvent(account, ts, (eventRandom) => {
          const item = eventRandom.pick(corpus.codeAlpaca);
          const selfTask = eventRandom.pick(corpus.selfInstruct);
          const useCode = eventRandom.chance(0.5);
          const question = useCode
            ? `${item.instruction}${item.input ? `\n${item.input}` : ''}`
            : selfTask.instruction;
          const answer = useCode
            ? item.output
            : eventRandom.pick(selfTask.instances).output || pool.paragraph(eventRandom, 2);
          const content = fill(rewardTemplates[family], {
            question,
            answer,
            other: pool.paragraph(eventRandom, eventRandom.between(1, 3)),
          });
          const reply =
            family === 'rubric' || family === 'pairwise'
              ? gradeReply(pool, eventRandom)
              : family === 'articulate'
                ? reasoningReply(
                    pool,
                    eventRandom,
                    [
                      pool.sentence(eventRandom),
                      pool.sentence(eventRandom),
                      pool.sentence(eventRandom),
                    ],
                    answer.slice(0, 200),
                  )
                : chatReply(pool, eventRandom, 2);
          return {
            api: 'openai.chat',
            model:
              ts >= window.releaseMs + rewardDefaults.switchHours * hourMs
                ? context.models.next
                : context.models.current,
            temperature: 0,
            maxTokens: 2048,
            messages: [{ role: 'user', content }],
            replies: [reply],
          };
        }),
      );
    }
  }
  return { accounts, events };
}
