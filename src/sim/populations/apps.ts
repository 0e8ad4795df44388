// App developers: products built on the API with their own system prompt (some asking for
// step-by-step reasoning), whose end users bring human rhythm and conversations with history.
import { appProfile, followUps, individualOpening } from '../benign-prompts.js';
import { conversationEvents, turnTimes } from '../conversation.js';
import type { SimAccount, SimEvent } from '../exchange.js';
import { countryUtcOffset, userAgents } from '../networks.js';
import type { Random } from '../random.js';
import { chatReply, reasoningReply } from '../replies.js';
import { hourMs, sampleActiveTime } from '../timing.js';
import {
  label,
  newKeyId,
  scaledCount,
  type Population,
  type SimulationContext,
} from '../context.js';
import { egressClient, organization } from './organizations.js';

export const appDefaults = {
  accounts: 350,
  requestsPerDayMedian: 45,
  requestsPerDaySpread: 1.0,
  maxRequestsPerDay: 4000,
};

export function apps(context: SimulationContext, random: Random): Population {
  const accounts: SimAccount[] = [];
  const events: SimEvent[] = [];
  const { window } = context;
  for (let index = 0; index < scaledCount(context, appDefaults.accounts); index += 1) {
    const appRandom = random.fork(index);
    const org = organization(context, appRandom, {
      egressAddresses: appRandom.between(1, 4),
      ageDaysMedian: 240,
    });
    const profile = appProfile(context.corpus, appRandom);
    const userAgent = appRandom.pick([
      ...userAgents.openaiNode,
      ...userAgents.openaiPython,
      ...userAgents.frameworks,
      ...userAgents.anthropicNode,
    ]);
    const api = userAgent.startsWith('Anthropic') ? 'anthropic.messages' : 'openai.chat';
    const account: SimAccount = {
      id: org.record.account_id,
      keyIds: [newKeyId(appRandom), newKeyId(appRandom)],
      label: label('benign', 'app'),
      record: org.record,
      client: egressClient(org.egress, userAgent),
    };
    const offset = countryUtcOffset[org.country] ?? 0;
    const perDay = Math.min(
      appDefaults.maxRequestsPerDay,
      appRandom.logNormal(appDefaults.requestsPerDayMedian, appDefaults.requestsPerDaySpread),
    );
    const turnsMean = profile.chat ? 2.2 : 1;
    const conversations = Math.max(1, appRandom.poisson((perDay * window.days) / turnsMean));
    const movesToNext = appRandom.chance(0.4);
    const moveDelayHours = appRandom.uniform(24, 96);
    const temperature = appRandom.pick([undefined, 0.3, 0.7, 1]);
    const maxTokens = appRandom.pick([512, 1024, 2048]);
    for (let conversation = 0; conversation < conversations; conversation += 1) {
      const conversationRandom = appRandom.fork(conversation);
      const start = sampleActiveTime(
        conversationRandom,
        window.startMs,
        window.endMs,
        offset,
        'consumer',
      );
      let turns = 1;
      while (profile.chat && turns < 6 && conversationRandom.chance(0.5)) turns += 1;
      const times = turnTimes(conversationRandom, start, turns, 50_000).filter(
        (ts) => ts < window.endMs,
      );
      events.push(
        ...conversationEvents({
          account,
          random: conversationRandom.fork('content'),
          times,
          system: profile.system,
          writeTurn: (turnRandom, turn) => {
            const user =
              turn === 0
                ? individualOpening(context.corpus, context.pool, turnRandom)
                : turnRandom.pick(followUps);
            const reply = profile.stepByStep
              ? reasoningReply(
                  context.pool,
                  turnRandom,
                  [context.pool.sentence(turnRandom), context.pool.sentence(turnRandom)],
                  context.pool.sentence(turnRandom),
                )
              : chatReply(context.pool, turnRandom, turnRandom.between(1, 3));
            return { user, reply };
          },
          shape: (ts) => ({
            api,
            model:
              movesToNext && ts > window.releaseMs + moveDelayHours * hourMs
                ? context.models.next
                : context.models.current,
            temperature,
            maxTokens,
            stream: profile.chat,
          }),
        }),
      );
    }
    accounts.push(account);
  }
  return { accounts, events };
}
