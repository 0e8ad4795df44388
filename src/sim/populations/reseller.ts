// A proxy reseller: resells API access to many small customers who all reach the API from the
// reseller's egress addresses and are all paid for with the reseller's cards. Legitimate customers
// here; the low-and-slow campaign hides among them (campaigns.ts).
import type { Account } from '../../core/index.js';
import { followUps, individualOpening } from '../benign-prompts.js';
import { conversationEvents, turnTimes } from '../conversation.js';
import type { SimAccount, SimEvent } from '../exchange.js';
import { countryUtcOffset, userAgents, type Address } from '../networks.js';
import type { Random } from '../random.js';
import { chatReply } from '../replies.js';
import { sampleActiveTime } from '../timing.js';
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

export const resellerDefaults = {
  customers: 250,
  egressAddresses: 8,
  cards: 2,
  requestsPerDayMedian: 6,
};

export interface Reseller {
  egress: Address[];
  cards: string[];
}

export const resellerCustomerCountries: [string, number][] = [
  ['CN', 20],
  ['HK', 8],
  ['VN', 8],
  ['ID', 8],
  ['BR', 6],
  ['TR', 6],
  ['RU', 6],
  ['IN', 6],
  ['PH', 4],
  ['TW', 4],
];
const customerDomains = [
  'gmail.com',
  'qq.com',
  '163.com',
  'outlook.com',
  'yandex.ru',
  'hotmail.com',
  'yahoo.com',
];

export function createReseller(context: SimulationContext, random: Random): Reseller {
  const hosting = context.internet.clouds.filter((network) => network.kind === 'hosting');
  const networks = random.sample(hosting, 2);
  return {
    egress: Array.from({ length: resellerDefaults.egressAddresses }, () =>
      context.internet.addressIn(random.pick(networks), random),
    ),
    cards: Array.from({ length: resellerDefaults.cards }, () => newPaymentFingerprint(random)),
  };
}

/** An account record of a reseller sub-account. */
export function resellerAccountRecord(
  context: SimulationContext,
  random: Random,
  reseller: Reseller,
  ageDays: number,
): Account {
  return {
    account_id: newAccountId(random),
    created_at: createdBefore(context, ageDays),
    verification: random.weighted<NonNullable<Account['verification']>>([
      ['email', 70],
      ['none', 30],
    ]),
    email_domain: random.pick(customerDomains),
    payment_fingerprint: random.pick(reseller.cards),
    country: random.weighted(resellerCustomerCountries),
    signup_ip: random.pick(reseller.egress).ip,
  };
}

export function resellerCustomers(
  context: SimulationContext,
  random: Random,
  reseller: Reseller,
): Population {
  const accounts: SimAccount[] = [];
  const events: SimEvent[] = [];
  const { window } = context;
  for (let index = 0; index < scaledCount(context, resellerDefaults.customers); index += 1) {
    const customer = random.fork(index);
    const record = resellerAccountRecord(context, customer, reseller, customer.logNormal(90, 1));
    const userAgent = customer.pick([
      ...userAgents.openaiPython,
      ...userAgents.browsers,
      ...userAgents.scripts,
    ]);
    const account: SimAccount = {
      id: record.account_id,
      keyIds: [newKeyId(customer)],
      label: label('benign', 'reseller-customer'),
      record,
      client: (requestRandom) => ({ ...requestRandom.pick(reseller.egress), userAgent }),
    };
    const offset = countryUtcOffset[record.country ?? 'US'] ?? 0;
    const conversations = Math.max(
      1,
      customer.poisson(
        (customer.logNormal(resellerDefaults.requestsPerDayMedian, 0.9) * window.days) / 1.8,
      ),
    );
    for (let conversation = 0; conversation < conversations; conversation += 1) {
      const conversationRandom = customer.fork(conversation);
      const start = sampleActiveTime(
        conversationRandom,
        window.startMs,
        window.endMs,
        offset,
        'consumer',
      );
      let turns = 1;
      while (turns < 6 && conversationRandom.chance(0.45)) turns += 1;
      events.push(
        ...conversationEvents({
          account,
          random: conversationRandom.fork('content'),
          times: turnTimes(conversationRandom, start, turns, 70_000).filter(
            (ts) => ts < window.endMs,
          ),
          writeTurn: (turnRandom, turn) => ({
            user:
              turn === 0
                ? individualOpening(context.corpus, context.pool, turnRandom)
                : turnRandom.pick(followUps),
            reply: chatReply(context.pool, turnRandom),
          }),
          shape: () => ({ api: 'openai.chat', model: context.models.current }),
        }),
      );
    }
    accounts.push(account);
  }
  return { accounts, events };
}
