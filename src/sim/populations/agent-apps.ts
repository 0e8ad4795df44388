// Agent apps: products that give their end users a model with tools (order lookups, bookings,
// calendars). Tool calls and tool results in every conversation, the end users' daily rhythm,
// one fixed toolset and system prompt per app: the benign counterpart of agentic harvesting.
import { individualOpening } from '../benign-prompts.js';
import type { Exchange, SimAccount, SimEvent, SimMessage, ToolCall } from '../exchange.js';
import type { ToolFunction } from '../fixtures.js';
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

export const agentAppDefaults = {
  accounts: 60,
  conversationsPerDayMedian: 30,
  conversationsPerDaySpread: 0.9,
};

function callOf(tool: ToolFunction, random: Random): ToolCall {
  const parameters = tool.parameters as { required?: string[] };
  return {
    id: `call_${random.token(20)}`,
    name: tool.name,
    arguments: Object.fromEntries(
      (parameters.required ?? []).map((name) => [name, random.token(6)]),
    ),
  };
}

export function agentApps(context: SimulationContext, random: Random): Population {
  const accounts: SimAccount[] = [];
  const events: SimEvent[] = [];
  const { window, corpus, pool } = context;
  for (let index = 0; index < scaledCount(context, agentAppDefaults.accounts); index += 1) {
    const appRandom = random.fork(index);
    const org = organization(context, appRandom, {
      egressAddresses: appRandom.between(1, 3),
      ageDaysMedian: 200,
    });
    const tools = appRandom.pick(corpus.tools.filter((task) => task.kind === 'multiple')).functions;
    const system = `You are the assistant of ${org.record.email_domain}. Use the tools to look things up before answering; never guess.`;
    const userAgent = appRandom.pick([
      ...userAgents.openaiNode,
      ...userAgents.frameworks,
      ...userAgents.anthropicPython,
    ]);
    const api = userAgent.startsWith('Anthropic') ? 'anthropic.messages' : 'openai.chat';
    const account: SimAccount = {
      id: org.record.account_id,
      keyIds: [newKeyId(appRandom)],
      label: label('benign', 'agent-app'),
      record: org.record,
      client: egressClient(org.egress, userAgent),
    };
    const offset = countryUtcOffset[org.country] ?? 0;
    const conversations = Math.max(
      1,
      appRandom.poisson(
        appRandom.logNormal(
          agentAppDefaults.conversationsPerDayMedian,
          agentAppDefaults.conversationsPerDaySpread,
        ) * window.days,
      ),
    );
    for (let conversation = 0; conversation < conversations; conversation += 1) {
      const conversationRandom = appRandom.fork(conversation);
      const start = sampleActiveTime(
        conversationRandom,
        window.startMs,
        window.endMs,
        offset,
        'consumer',
      );
      const question = individualOpening(corpus, pool, conversationRandom);
      const calls = [callOf(conversationRandom.pick(tools), conversationRandom)];
      const result = JSON.stringify({ ok: true, data: pool.sentence(conversationRandom) });
      const answer = chatReply(pool, conversationRandom, 1);
      const base = {
        api,
        model: context.models.current,
        temperature: 0.3,
        maxTokens: 1024,
        tools,
        system,
      } as const;
      const first: SimMessage[] = [{ role: 'user', content: question }];
      const second: SimMessage[] = [
        ...first,
        { role: 'assistant', content: '', toolCalls: calls },
        { role: 'tool', toolCallId: calls[0].id, content: result },
      ];
      const steps: [number, Exchange][] = [
        [
          start,
          {
            ...base,
            messages: first,
            replies: [{ text: '', toolCalls: calls, finish: 'tool_calls' }],
          },
        ],
        [
          start + conversationRandom.uniform(1.5, 6) * 1000,
          { ...base, messages: second, replies: [answer] },
        ],
      ];
      for (const [ts, exchange] of steps)
        if (ts < window.endMs) events.push({ ts, account, build: () => exchange });
    }
    accounts.push(account);
  }
  return { accounts, events };
}
