// Hydra cluster: hundreds of small accounts created in signup bursts, paid with a handful of shared
// cards, sending through a residential proxy pool around the clock, harvesting coding and reasoning
// with chain-of-thought elicitation, and moving to a new model within hours of its release.
import type { Account } from '../../core/index.js';
import { singleEvent } from '../conversation.js';
import { fill, hydraTemplates } from '../elicitation-templates.js';
import type { SimAccount, SimEvent } from '../exchange.js';
import { userAgents } from '../networks.js';
import type { Random } from '../random.js';
import { reasoningReply } from '../replies.js';
import { codingTask, mathTask } from '../task-generator.js';
import { dayMs, hourMs, minuteMs } from '../timing.js';
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

export const hydraDefaults = {
  campaign: 'hydra-coding-reasoning',
  accounts: 450,
  signupBursts: 6,
  sharedCards: 18,
  proxyPoolAddresses: 3000,
  requestsPerDayMedian: 60,
  /** How long an account is used before the operator abandons it. */
  lifetimeDays: [1.5, 7] as const,
  /** Hours after a release until the operator moves to the new model. */
  switchHours: [1, 3] as const,
};

const throwawayDomains = [
  'gmail.com',
  'gmail.com',
  'outlook.com',
  'mailnest.io',
  'fastinbox.net',
  'tmpbox.org',
  'inboxhub.cc',
  'postfly.xyz',
  'mailr.top',
];
const claimedCountries = ['US', 'SG', 'HK', 'JP', 'GB', 'CA', 'DE', 'AU'];

export function hydraCluster(context: SimulationContext, random: Random): Population {
  const accounts: SimAccount[] = [];
  const events: SimEvent[] = [];
  const { window } = context;
  const count = context.hydraAccounts ?? scaledCount(context, hydraDefaults.accounts, 8);
  const pool = context.internet.residentialPool(
    Math.max(200, Math.round(hydraDefaults.proxyPoolAddresses * Math.min(1, context.scale * 2))),
    random,
    [
      'US',
      'GB',
      'DE',
      'FR',
      'JP',
      'KR',
      'BR',
      'IN',
      'VN',
      'ID',
      'PH',
      'TR',
      'MX',
      'SG',
      'CA',
      'AU',
    ],
  );
  const cards = Array.from(
    { length: Math.max(3, Math.round(hydraDefaults.sharedCards * Math.min(1, context.scale * 4))) },
    () => newPaymentFingerprint(random),
  );
  const bursts = Array.from(
    { length: hydraDefaults.signupBursts },
    () => window.startMs + random.uniform(-10, window.days * 0.6) * dayMs,
  );
  const switchHours = random.uniform(...hydraDefaults.switchHours);
  const operatorAgents = [userAgents.scripts[1], userAgents.openaiPython[1]];
  for (let index = 0; index < count; index += 1) {
    const accountRandom = random.fork(index);
    const createdMs = accountRandom.pick(bursts) + accountRandom.uniform(0, 90) * minuteMs;
    const record: Account = {
      account_id: newAccountId(accountRandom),
      created_at: isoTime(createdMs),
      verification: accountRandom.weighted<NonNullable<Account['verification']>>([
        ['none', 30],
        ['email', 50],
        ['phone', 20],
      ]),
      email_domain: accountRandom.pick(throwawayDomains),
      country: accountRandom.pick(claimedCountries),
      signup_ip: accountRandom.pick(pool).ip,
    };
    if (accountRandom.chance(0.85)) record.payment_fingerprint = accountRandom.pick(cards);
    const userAgent = accountRandom.pick(operatorAgents);
    const account: SimAccount = {
      id: record.account_id,
      keyIds: [newKeyId(accountRandom)],
      label: label('campaign', 'hydra-coding', hydraDefaults.campaign),
      record,
      // a different residential exit on every request
      client: (requestRandom) => ({ ...requestRandom.pick(pool), userAgent }),
    };
    const activeFrom = Math.max(window.startMs, createdMs + accountRandom.uniform(0.5, 6) * hourMs);
    const activeTo = Math.min(
      window.endMs,
      activeFrom + accountRandom.uniform(...hydraDefaults.lifetimeDays) * dayMs,
    );
    const requests =
      activeTo > activeFrom
        ? Math.max(
            1,
            accountRandom.poisson(
              accountRandom.logNormal(hydraDefaults.requestsPerDayMedian, 0.4) *
                ((activeTo - activeFrom) / dayMs),
            ),
          )
        : 0;
    // each account uses a subset of the operator's templates
    const codingTemplates = accountRandom.sample(hydraTemplates.coding, 2);
    const reasoningTemplates = accountRandom.sample(hydraTemplates.reasoning, 2);
    for (let request = 0; request < requests; request += 1) {
      const ts = accountRandom.uniform(activeFrom, activeTo);
      events.push(
        singleEvent(account, ts, (eventRandom) => {
          const coding = eventRandom.chance(0.55);
          const task = coding
            ? eventRandom.chance(0.25)
              ? {
                  ...codingTask(eventRandom),
                  prompt: eventRandom.pick(context.corpus.codeAlpaca).instruction,
                }
              : codingTask(eventRandom)
            : mathTask(eventRandom);
          const template = coding
            ? eventRandom.pick(codingTemplates)
            : eventRandom.pick(reasoningTemplates);
          const model =
            ts >= window.releaseMs + switchHours * hourMs
              ? context.models.next
              : context.models.current;
          return {
            api: 'openai.chat',
            model,
            temperature: eventRandom.pick([0.6, 0.8, 1]),
            maxTokens: eventRandom.pick([4096, 8192]),
            messages: [{ role: 'user', content: fill(template, { task: task.prompt }) }],
            replies: [
              reasoningReply(
                context.pool,
                eventRandom,
                [...task.steps, context.pool.sentence(eventRandom)],
                coding ? `\n\`\`\`\n${task.answer}\n\`\`\`` : task.answer,
              ),
            ],
            status: eventRandom.chance(0.02) ? 429 : 200,
          };
        }),
      );
    }
    if (requests > 0) accounts.push(account);
  }
  return { accounts, events };
}
