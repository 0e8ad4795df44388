// What ordinary customers ask: questions and tasks from human-written data sets, follow-ups in a
// conversation, app system prompts, and the fixed wrappers that SaaS products and batch jobs use.
import type { Corpus } from './fixtures.js';
import type { Random } from './random.js';
import type { TextPool } from './text-pool.js';

export const followUps = [
  'Can you explain that more simply?',
  'Thanks! Can you make it shorter?',
  'Can you give me an example?',
  'Why is that?',
  'What would you change if it had to run on a phone?',
  'Could you rewrite that in a friendlier tone?',
  'Hmm, that does not seem right. Can you double-check?',
  'Great, now turn it into a bullet list.',
  'What are the downsides?',
  'Can you do the same in JavaScript?',
  'How would I test this?',
  'Translate that into Spanish, please.',
  'OK. And what if the input is empty?',
  'Can you add comments to the code?',
  'Which of those options would you pick, and why?',
  'Expand on the second point.',
  'Summarise our conversation so far.',
  'Can you make it sound more professional?',
  'That helps, thank you. One more question:',
  'Let us go back to the first version.',
];

const everydayAsks = [
  'Help me write a polite e-mail to my landlord about',
  'Give me a weekly meal plan that includes',
  'Explain to a ten-year-old',
  'What are good questions to ask in a job interview about',
  'Write a short birthday poem about',
  'Plan a three-day trip focused on',
  'Summarise the pros and cons of',
  'Draft a LinkedIn post announcing',
  'Suggest names for a small business that sells',
  'How do I politely decline an invitation to',
  'Make a study schedule for an exam on',
  'Brainstorm ideas for a school project on',
];
const everydayTopics = [
  'a broken heater',
  'lentils and spinach',
  'how vaccines work',
  'data engineering',
  'my grandmother',
  'street food in Lisbon',
  'renting versus buying a flat',
  'my new job at a bakery',
  'handmade candles',
  "a colleague's wedding",
  'organic chemistry',
  'renewable energy',
  'remote work',
  'learning the violin as an adult',
  'a used car purchase',
  'composting at home',
];

/** The first message of a conversation an individual starts. */
export function individualOpening(corpus: Corpus, pool: TextPool, random: Random): string {
  const source = random.weighted<'self' | 'code' | 'role' | 'everyday' | 'paste' | 'math'>([
    ['self', 3],
    ['code', 2],
    ['role', 1],
    ['everyday', 3],
    ['paste', 1],
    ['math', 0.4],
  ]);
  switch (source) {
    case 'self': {
      const task = random.pick(corpus.selfInstruct);
      const instance = random.pick(task.instances);
      return instance.input ? `${task.instruction}\n\n${instance.input}` : task.instruction;
    }
    case 'code': {
      const item = random.pick(corpus.codeAlpaca);
      return item.input ? `${item.instruction}\n${item.input}` : item.instruction;
    }
    case 'role':
      return random.pick(corpus.roles).prompt;
    case 'paste':
      return `${random.pick(['What does this mean?', 'Can you summarise this?', 'Is this correct?', 'Fix the grammar:'])}\n\n${pool.paragraph(random, random.between(2, 6))}`;
    case 'math':
      // a student pasting homework, sometimes with a nudge to show the steps
      return `${random.pick(corpus.gsm8k).question}${random.chance(0.3) ? ' Please explain step by step.' : ''}`;
    default:
      return `${random.pick(everydayAsks)} ${random.pick(everydayTopics)}.`;
  }
}

export interface AppProfile {
  name: string;
  system: string;
  /** Whether the app keeps chat history across turns. */
  chat: boolean;
  /** Whether the system prompt asks the model to reason step by step. */
  stepByStep: boolean;
}

const appDomains = [
  'cooking',
  'fitness coaching',
  'tax questions',
  'travel planning',
  'language learning',
  'customer support for a bike shop',
  'legal intake',
  'homework help',
  'HR policies',
  'gardening',
  'personal finance',
  'home repair',
  'pet care',
  'interview practice',
];

/** A developer's app: a name, a system prompt (some ask for step-by-step reasoning), chat or single-shot. */
export function appProfile(corpus: Corpus, random: Random): AppProfile {
  const name = `${random.pick(['Nimbus', 'Kite', 'Otter', 'Maple', 'Quill', 'Beacon', 'Pebble', 'Lumen', 'Sprout', 'Harbor'])}${random.pick(['AI', 'Chat', 'Assist', 'Pal', 'Desk', 'Guide'])}`;
  const stepByStep = random.chance(0.3);
  const base = random.chance(0.4)
    ? random.pick(corpus.roles.filter((role) => role.prompt.length < 900)).prompt
    : `You are ${name}, a helpful assistant for ${random.pick(appDomains)}. Answer in a friendly, concise way and ask a clarifying question when the request is ambiguous.`;
  const system = stepByStep
    ? `${base}\n\nThink step by step and explain your reasoning before giving the final answer.`
    : base;
  return { name, system, chat: random.chance(0.6), stepByStep };
}

export interface Wrapper {
  /** The fixed text around the user's content; {content} marks where it goes. */
  template: string;
  capability: 'writing' | 'other' | 'coding';
}

/** Templates SaaS products wrap their users' content in: one product, one template, every request. */
export const saasWrappers: readonly Wrapper[] = [
  {
    template:
      'Summarize the following customer support ticket in three bullet points, then suggest a reply.\n\nTicket:\n"""\n{content}\n"""',
    capability: 'writing',
  },
  {
    template:
      'Extract all people, organisations and dates from the text below. Return JSON with keys "people", "organizations", "dates".\n\nText: {content}',
    capability: 'other',
  },
  {
    template:
      'Rewrite the following product description to be more persuasive for an online store. Keep it under 120 words.\n\n{content}',
    capability: 'writing',
  },
  {
    template:
      'You are a meeting assistant. Produce minutes with decisions and action items from this transcript:\n\n{content}',
    capability: 'writing',
  },
  {
    template: 'Translate the following message into French, keeping the tone:\n\n{content}',
    capability: 'writing',
  },
  {
    template:
      'Classify the sentiment of this app review as positive, neutral or negative, and give a one-sentence justification.\n\nReview: {content}',
    capability: 'other',
  },
  {
    template:
      'Draft a reply to the e-mail below on behalf of our sales team. Be polite and propose a call next week.\n\nE-mail:\n{content}',
    capability: 'writing',
  },
  {
    template: 'Generate five SEO keywords and a meta description for this blog post:\n\n{content}',
    capability: 'writing',
  },
];

/** Templates nightly batch jobs run over records: fixed wording, temperature 0. */
export const batchWrappers: readonly Wrapper[] = [
  {
    template:
      'Label the following support message with exactly one category from: billing, bug, feature_request, account, other. Reply with the category only.\n\nMessage: {content}',
    capability: 'other',
  },
  {
    template:
      'Return a JSON object {"summary": string, "language": string} for this document:\n\n{content}',
    capability: 'other',
  },
  {
    template:
      'Does the following text contain personal data (names, e-mails, phone numbers)? Answer yes or no.\n\n{content}',
    capability: 'other',
  },
  {
    template: 'Write a one-line commit-style summary of this change description:\n\n{content}',
    capability: 'coding',
  },
];

export function fillWrapper(wrapper: Wrapper, content: string): string {
  return wrapper.template.replace('{content}', content);
}
