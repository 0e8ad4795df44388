// Multi-turn conversations whose message history grows turn by turn. Each turn's content comes from
// its own random stream, so turn k can be rebuilt (with turns 0..k-1 as history) without storing text.
import type { Exchange, ExchangeReply, SimAccount, SimEvent, SimMessage } from './exchange.js';
import type { Random } from './random.js';

export interface Turn {
  user: string;
  reply: ExchangeReply;
}

/** Writes turn `turn` given the turns before it. */
export type TurnWriter = (random: Random, turn: number, previous: Turn[]) => Turn;

/** Everything about a request but the conversation content. */
export type ExchangeShape = Omit<Exchange, 'messages' | 'replies' | 'system'> & { status?: number };

export interface ConversationPlan {
  account: SimAccount;
  /** The conversation's own stream: turn j draws from random.fork(j). */
  random: Random;
  /** Send time of each turn (its length is the number of turns). */
  times: number[];
  system?: string;
  writeTurn: TurnWriter;
  shape(ts: number, turn: number): ExchangeShape;
}

/** One event per turn; turn k carries the history of turns 0..k-1. */
export function conversationEvents(plan: ConversationPlan): SimEvent[] {
  const turnsUpTo = (last: number): Turn[] => {
    const turns: Turn[] = [];
    for (let turn = 0; turn <= last; turn += 1)
      turns.push(plan.writeTurn(plan.random.fork(turn), turn, turns));
    return turns;
  };
  return plan.times.map((ts, turn) => ({
    ts,
    account: plan.account,
    build: (): Exchange => {
      const turns = turnsUpTo(turn);
      const messages: SimMessage[] = [];
      for (let index = 0; index < turn; index += 1) {
        messages.push(
          { role: 'user', content: turns[index].user },
          { role: 'assistant', content: turns[index].reply.text },
        );
      }
      messages.push({ role: 'user', content: turns[turn].user });
      const shape = plan.shape(ts, turn);
      return { ...shape, system: plan.system, messages, replies: [turns[turn].reply] };
    },
  }));
}

/** Send times of a conversation: the first at `start`, each next one after a human pause. */
export function turnTimes(
  random: Random,
  start: number,
  turns: number,
  medianGapMs: number,
): number[] {
  const times = [start];
  for (let turn = 1; turn < turns; turn += 1)
    times.push(times[turn - 1] + Math.max(4000, random.logNormal(medianGapMs, 0.7)));
  return times;
}

/** A single-shot exchange (no history). */
export function singleEvent(
  account: SimAccount,
  ts: number,
  build: (random: Random) => Exchange,
): SimEvent {
  return { ts, account, build };
}
