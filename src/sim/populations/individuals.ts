// Individuals: people chatting through SDK scripts or bring-your-own-key chat apps from home,
// in sessions of short multi-turn conversations that follow their local day.
import type { Account } from '../../core/index.js';
import { followUps, individualOpening } from '../benign-prompts.js';
import { conversationEvents, turnTimes } from '../conversation.js';
import type { SimAccount, SimEvent } from '../exchange.js';
import { countryUtcOffset, userAgents } from '../networks.js';
import type { Random } from '../random.js';
import { chatReply, codeReply } from '../replies.js';
import { hourMs, minuteMs, sampleActiveTime } from '../timing.js';
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

export const individualDefaults = {
  accounts: 7000,
  /** Median sessions per day, and the log-space spread across people. */
  sessionsPerDayMedian: 0.35,
  sessionsPerDaySpread: 1.0,
  maxTurns: 8,
  medianTurnGapMs: 75_000,
};

const countries: [string, number][] = [
  ['US', 30],
  ['IN', 10],
  ['GB', 6],
  ['DE', 6],
  ['BR', 5],
  ['FR', 4],
  ['JP', 4],
  ['CA', 4],
  ['KR', 3],
  ['ES', 3],
  ['MX', 3],
  ['ID', 3],
  ['VN', 2],
  ['PH', 2],
  ['TR', 2],
  ['NL', 2],
  ['AU', 2],
  ['IT', 2],
  ['SG', 1],
  ['TW', 1],
];
const mailDomains: Record<string, string[]> = {
  DE: ['web.de', 'gmx.de', 'gmail.com'],
  JP: ['yahoo.co.jp', 'gmail.com'],
  KR: ['naver.com', 'gmail.com'],
  FR: ['orange.fr', 'gmail.com'],
  BR: ['gmail.com', 'hotmail.com', 'uol.com.br'],
  GB: ['gmail.com', 'outlook.com', 'btinternet.com'],
};
const commonDomains = [
  'gmail.com',
  'gmail.com',
  'gmail.com',
  'outlook.com',
  'yahoo.com',
  'icloud.com',
  'proton.me',
  'hotmail.com',
];

export function individuals(context: SimulationContext, random: Random): Population {
  const accounts: SimAccount[] = [];
  const events: SimEvent[] = [];
  const { window } = context;
  const count = scaledCount(context, individualDefaults.accounts);
  for (let index = 0; index < count; index += 1) {
    const person = random.fork(index);
    const country = person.weighted(countries);
    const offset = countryUtcOffset[country] ?? 0;
    const isp = context.internet.ispOf(country, person);
    const home = context.internet.addressIn(isp, person);
    const userAgent = person.chance(0.6)
      ? person.pick(userAgents.browsers)
      : person.pick([
          ...userAgents.openaiPython,
          ...userAgents.openaiNode,
          ...userAgents.anthropicPython,
        ]);
    const api =
      userAgent.startsWith('Anthropic') || person.chance(0.12)
        ? 'anthropic.messages'
        : 'openai.chat';
    const verification = person.weighted<Account['verification'] & string>([
      ['email', 45],
      ['phone', 25],
      ['card', 25],
      ['none', 5],
    ]);
    const record: Account = {
      account_id: newAccountId(person),
      created_at: createdBefore(context, person.logNormal(180, 1.2)),
      verification,
      email_domain: person.pick(mailDomains[country] ?? commonDomains),
      country,
      signup_ip: home.ip,
    };
    if (verification === 'card' || person.chance(0.4))
      record.payment_fingerprint = newPaymentFingerprint(person);
    const account: SimAccount = {
      id: record.account_id,
      keyIds: [newKeyId(person)],
      label: label('benign', 'individual'),
      record,
      // home most of the time; now and then from another address of the same ISP (phone, roaming)
      client: (requestRandom) => {
        const away = requestRandom.chance(0.08)
          ? context.internet.addressIn(isp, requestRandom)
          : home;
        return { ...away, userAgent };
      },
    };
    const sessionsPerDay = Math.min(
      6,
      person.logNormal(
        individualDefaults.sessionsPerDayMedian,
        individualDefaults.sessionsPerDaySpread,
      ),
    );
    const sessions = Math.max(1, person.poisson(sessionsPerDay * window.days));
    const adoptionHours = person.uniform(6, 96);
    const usesSmall = person.chance(0.15);
    const streams = userAgent.startsWith('Mozilla') || person.chance(0.2);
    for (let session = 0; session < sessions; session += 1) {
      const sessionRandom = person.fork(`s${session}`);
      let start = sampleActiveTime(sessionRandom, window.startMs, window.endMs, offset, 'consumer');
      const conversations = 1 + (sessionRandom.chance(0.35) ? sessionRandom.between(1, 2) : 0);
      for (let conversation = 0; conversation < conversations; conversation += 1) {
        const conversationRandom = sessionRandom.fork(conversation);
        let turns = 1;
        while (turns < individualDefaults.maxTurns && conversationRandom.chance(0.45)) turns += 1;
        const times = turnTimes(
          conversationRandom,
          start,
          turns,
          individualDefaults.medianTurnGapMs,
        ).filter((ts) => ts < window.endMs);
        start = times[times.length - 1] + conversationRandom.uniform(1, 10) * minuteMs;
        const model =
          start > window.releaseMs + adoptionHours * hourMs && conversationRandom.chance(0.6)
            ? context.models.next
            : usesSmall
              ? context.models.small
              : context.models.current;
        const temperature = conversationRandom.chance(0.5)
          ? undefined
          : conversationRandom.pick([0.2, 0.7, 1]);
        events.push(
          ...conversationEvents({
            account,
            random: conversationRandom.fork('content'),
            times,
            writeTurn: (turnRandom, turn) => {
              const user =
                turn === 0
                  ? individualOpening(context.corpus, context.pool, turnRandom)
                  : turnRandom.pick(followUps);
              const codeLike = /code|function|program|script|python|javascript|sql/i.test(user);
              const reply = codeLike
                ? codeReply(
                    context.pool,
                    turnRandom,
                    turnRandom.pick(context.corpus.codeAlpaca).output,
                  )
                : chatReply(context.pool, turnRandom);
              return { user, reply };
            },
            shape: () => ({
              api,
              model,
              temperature,
              stream: streams,
              maxTokens: api === 'anthropic.messages' ? 2048 : undefined,
            }),
          }),
        );
        if (start >= window.endMs) break;
      }
    }
    accounts.push(account);
  }
  return { accounts, events };
}
