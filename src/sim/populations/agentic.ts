// Agentic tool-use harvesting: scripted agent sessions (task, tool call, tool result, next call ...)
// plus tool-trace reconstruction prompts, over three access paths with different wire formats,
// networks and sign-up stories, all run by one operator.
import type { Account } from '../../core/index.js';
import { singleEvent } from '../conversation.js';
import { fill, toolTraceTemplates } from '../elicitation-templates.js';
import type { Exchange, SimAccount, SimApi, SimEvent, SimMessage, ToolCall } from '../exchange.js';
import type { ToolFunction, ToolTask } from '../fixtures.js';
import { userAgents, type Address } from '../networks.js';
import type { Random } from '../random.js';
import { reasoningReply } from '../replies.js';
import { dayMs, hourMs } from '../timing.js';
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

export const agenticDefaults = {
  campaign: 'agentic-tools',
  accounts: 90,
  sessionsPerDayMedian: 14,
  maxSteps: 5,
  traceReconstructionShare: 0.3,
  switchHours: [1, 4] as const,
};

interface AccessPath {
  name: string;
  share: number;
  api: SimApi;
  userAgents: readonly string[];
  addresses: Address[];
  rotate: boolean;
  verification: NonNullable<Account['verification']>[];
  cards: string[];
  orgIds: string[];
}

/** Plausible arguments for a call of `tool`: every required parameter gets a value of its type. */
function toolArguments(tool: ToolFunction, random: Random): Record<string, unknown> {
  const parameters = tool.parameters as {
    properties?: Record<string, { type?: string; enum?: unknown[] }>;
    required?: string[];
  };
  const values: Record<string, unknown> = {};
  for (const name of parameters.required ?? Object.keys(parameters.properties ?? {}).slice(0, 2)) {
    const property = parameters.properties?.[name] ?? {};
    if (property.enum?.length) values[name] = random.pick(property.enum);
    else if (property.type === 'integer') values[name] = random.between(1, 500);
    else if (property.type === 'float' || property.type === 'number')
      values[name] = Math.round(random.uniform(0, 100) * 100) / 100;
    else if (property.type === 'boolean') values[name] = random.chance(0.5);
    else if (property.type === 'array' || property.type === 'list')
      values[name] = [random.token(5), random.token(5)];
    else
      values[name] =
        `${random.pick(['alpha', 'report', 'berlin', 'q3', 'invoice', 'main', 'users'])}_${random.token(3)}`;
  }
  return values;
}

function toolResult(random: Random, pool: SimulationContext['pool']): string {
  return JSON.stringify({
    status: 'ok',
    result: pool.sentence(random),
    id: random.token(8),
    elapsed_ms: random.between(5, 900),
  });
}

function toolbox(task: ToolTask, tools: ToolTask[], random: Random): ToolFunction[] {
  const extra = random.sample(tools, random.between(1, 3)).flatMap((other) => other.functions);
  const seen = new Set<string>();
  return [...task.functions, ...extra]
    .filter((tool) => !seen.has(tool.name) && seen.add(tool.name))
    .slice(0, 8);
}

export function agenticCampaign(context: SimulationContext, random: Random): Population {
  const { window, corpus, internet } = context;
  const hosting = internet.clouds.filter((network) => network.kind === 'hosting');
  const aws =
    internet.clouds.find((network) => network.name === 'Amazon AWS') ?? internet.clouds[0];
  const paths: AccessPath[] = [
    {
      name: 'direct',
      share: 0.4,
      api: 'openai.chat',
      userAgents: userAgents.openaiPython,
      addresses: Array.from({ length: 12 }, () => internet.addressIn(random.pick(hosting), random)),
      rotate: false,
      verification: ['card'],
      cards: Array.from({ length: 6 }, () => newPaymentFingerprint(random)),
      orgIds: [],
    },
    {
      name: 'proxied',
      share: 0.35,
      api: 'anthropic.messages',
      userAgents: userAgents.anthropicPython,
      addresses: internet.residentialPool(800, random),
      rotate: true,
      verification: ['email', 'phone'],
      cards: Array.from({ length: 4 }, () => newPaymentFingerprint(random)),
      orgIds: [],
    },
    {
      name: 'framework',
      share: 0.25,
      api: 'openai.chat',
      userAgents: ['litellm/1.52.0'],
      addresses: Array.from({ length: 8 }, () => internet.addressIn(aws, random)),
      rotate: false,
      verification: ['startup'],
      cards: Array.from({ length: 3 }, () => newPaymentFingerprint(random)),
      orgIds: Array.from({ length: 3 }, () => `org_${random.token(10)}`),
    },
  ];
  const switchHours = random.uniform(...agenticDefaults.switchHours);
  const accounts: SimAccount[] = [];
  const events: SimEvent[] = [];
  const count = scaledCount(context, agenticDefaults.accounts, 6);
  for (let index = 0; index < count; index += 1) {
    const accountRandom = random.fork(index);
    const path =
      paths[
        index % paths.length === 0
          ? 0
          : accountRandom.weightedIndex(paths.map((candidate) => candidate.share))
      ];
    const userAgent = accountRandom.pick(path.userAgents);
    const home = accountRandom.pick(path.addresses);
    const record: Account = {
      account_id: newAccountId(accountRandom),
      created_at: createdBefore(context, accountRandom.uniform(1, 25)),
      verification: accountRandom.pick(path.verification),
      email_domain: accountRandom.pick(['gmail.com', 'outlook.com', 'proton.me', 'agentops.dev']),
      payment_fingerprint: accountRandom.pick(path.cards),
      country: accountRandom.pick(['US', 'SG', 'GB', 'DE']),
      signup_ip: home.ip,
    };
    if (path.orgIds.length > 0) record.org_id = accountRandom.pick(path.orgIds);
    const account: SimAccount = {
      id: record.account_id,
      keyIds: [newKeyId(accountRandom)],
      label: label('campaign', `agentic-${path.name}`, agenticDefaults.campaign),
      record,
      client: (requestRandom) => ({
        ...(path.rotate ? requestRandom.pick(path.addresses) : home),
        userAgent,
      }),
    };
    const activeFrom = window.startMs + accountRandom.uniform(0, 0.3) * window.days * dayMs;
    const sessions = Math.max(
      1,
      accountRandom.poisson(
        accountRandom.logNormal(agenticDefaults.sessionsPerDayMedian, 0.4) *
          ((window.endMs - activeFrom) / dayMs),
      ),
    );
    for (let session = 0; session < sessions; session += 1) {
      const sessionRandom = accountRandom.fork(session);
      const start = sessionRandom.uniform(activeFrom, window.endMs);
      const model =
        start >= window.releaseMs + switchHours * hourMs
          ? context.models.next
          : context.models.current;
      const task = sessionRandom.pick(corpus.tools);
      const tools = toolbox(task, corpus.tools, sessionRandom);
      if (sessionRandom.chance(agenticDefaults.traceReconstructionShare)) {
        events.push(
          singleEvent(account, start, (eventRandom) =>
            traceReconstruction(context, eventRandom, path.api, model, task, tools),
          ),
        );
        continue;
      }
      const steps = sessionRandom.between(2, agenticDefaults.maxSteps);
      const times = Array.from(
        { length: steps },
        (_, step) => start + step * sessionRandom.uniform(2, 9) * 1000,
      ).filter((ts) => ts < window.endMs);
      events.push(
        ...agentSession(
          context,
          account,
          sessionRandom.fork('content'),
          times,
          path.api,
          model,
          task,
          tools,
        ),
      );
    }
    accounts.push(account);
  }
  return { accounts, events };
}

/** An agent loop: each request carries the task, every earlier tool call and its result. */
function agentSession(
  context: SimulationContext,
  account: SimAccount,
  random: Random,
  times: number[],
  api: SimApi,
  model: string,
  task: ToolTask,
  tools: ToolFunction[],
): SimEvent[] {
  const callsFor = (step: number): ToolCall[] => {
    const stepRandom = random.fork(step);
    const count = task.kind.startsWith('parallel') ? 2 : 1;
    return Array.from({ length: count }, () => {
      const tool = stepRandom.pick(tools);
      return {
        id: `${api === 'anthropic.messages' ? 'toolu' : 'call'}_${stepRandom.token(20)}`,
        name: tool.name,
        arguments: toolArguments(tool, stepRandom),
      };
    });
  };
  return times.map((ts, step) => ({
    ts,
    account,
    build: (): Exchange => {
      const messages: SimMessage[] = [{ role: 'user', content: task.question.join('\n') }];
      for (let earlier = 0; earlier < step; earlier += 1) {
        const calls = callsFor(earlier);
        messages.push({ role: 'assistant', content: '', toolCalls: calls });
        for (const call of calls)
          messages.push({
            role: 'tool',
            toolCallId: call.id,
            content: toolResult(random.fork(`r${earlier}${call.id}`), context.pool),
          });
      }
      const last = step === times.length - 1;
      return {
        api,
        model,
        temperature: 0.2,
        maxTokens: 2048,
        tools,
        messages,
        replies: [
          last
            ? { text: context.pool.paragraph(random.fork(`final${step}`), 2), finish: 'stop' }
            : { text: '', toolCalls: callsFor(step), finish: 'tool_calls' },
        ],
      };
    },
  }));
}

function traceReconstruction(
  context: SimulationContext,
  random: Random,
  api: SimApi,
  model: string,
  task: ToolTask,
  tools: ToolFunction[],
): Exchange {
  const trace = Array.from({ length: random.between(2, 5) }, (_, step) => {
    const tool = random.pick(tools);
    return `Step ${step + 1}: call ${tool.name}(${JSON.stringify(toolArguments(tool, random))})\nResult: ${toolResult(random, context.pool)}`;
  }).join('\n');
  const content = fill(random.pick(toolTraceTemplates), { task: task.question.join(' '), trace });
  return {
    api,
    model,
    temperature: 0.2,
    maxTokens: 4096,
    messages: [{ role: 'user', content }],
    replies: [
      reasoningReply(
        context.pool,
        random,
        [
          context.pool.sentence(random),
          context.pool.sentence(random),
          context.pool.sentence(random),
        ],
        context.pool.sentence(random),
      ),
    ],
  };
}
