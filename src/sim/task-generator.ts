// Procedurally generated coding and maths tasks with worked solutions: an endless supply of new
// content, as a harvesting operator's task generator has, distinct from any public benchmark item.
import type { Random } from './random.js';

export interface GeneratedTask {
  prompt: string;
  /** Worked steps a model would write when asked to show its reasoning. */
  steps: string[];
  answer: string;
  capability: 'coding' | 'reasoning';
}

const names = [
  'Amara',
  'Bilal',
  'Chen',
  'Daria',
  'Emeka',
  'Farah',
  'Goran',
  'Hana',
  'Ivan',
  'Jia',
  'Kofi',
  'Lena',
  'Mateo',
  'Nadia',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sven',
  'Tariq',
  'Uma',
  'Viktor',
  'Wen',
  'Ximena',
  'Yusuf',
  'Zofia',
];
const goods = [
  ['crate', 'apples'],
  ['box', 'pencils'],
  ['bag', 'marbles'],
  ['pack', 'stickers'],
  ['tray', 'cupcakes'],
  ['carton', 'eggs'],
  ['bundle', 'cables'],
  ['case', 'bottles'],
  ['roll', 'labels'],
  ['sack', 'potatoes'],
];
const languages = [
  'Python',
  'JavaScript',
  'TypeScript',
  'Go',
  'Rust',
  'Java',
  'C++',
  'Kotlin',
  'C#',
  'Ruby',
];
const structures = [
  'a list of integers',
  'a string',
  'a binary tree',
  'a directed graph given as an adjacency list',
  'a 2D grid of characters',
  'a list of intervals',
  'a sorted array',
  'a linked list',
  'a list of timestamped log lines',
  'a dictionary of word counts',
  'a matrix of floats',
  'a stream of events',
];
const goals = [
  'returns the length of the longest strictly increasing run',
  'finds the k most frequent elements',
  'detects whether it contains a cycle',
  'returns all pairs whose sum equals a target',
  'merges overlapping entries and returns the result',
  'computes the number of connected regions',
  'serialises it to a compact string and parses it back',
  'returns the median in better than O(n log n) time',
  'removes duplicates while keeping the original order',
  'finds the shortest path between two given nodes',
  'groups the entries by a key function and counts each group',
  'validates it against a set of rules and reports every violation',
  'computes a running maximum over a sliding window of size k',
  'returns the lexicographically smallest rotation',
  'balances it so that depths differ by at most one',
  'splits it into chunks of at most n bytes without breaking words',
  'computes the edit distance between two instances',
  'finds the longest palindromic section',
];
const constraints = [
  'Handle empty input gracefully.',
  'Use O(1) extra memory.',
  'Write unit tests for the edge cases.',
  'Avoid recursion.',
  'Make it thread-safe.',
  'Document the time and space complexity.',
  'Do not use any external libraries.',
  'Raise a clear error on invalid input.',
  'Optimise for very large inputs.',
  '',
];

function pronoun(name: string): string {
  return [
    'Amara',
    'Daria',
    'Farah',
    'Hana',
    'Jia',
    'Lena',
    'Nadia',
    'Priya',
    'Rosa',
    'Uma',
    'Wen',
    'Ximena',
    'Zofia',
  ].includes(name)
    ? 'She'
    : 'He';
}

/** A maths word problem with numbers drawn fresh each time, and its solution steps. */
export function mathTask(random: Random): GeneratedTask {
  const name = random.pick(names);
  const [container, item] = random.pick(goods);
  const schema = random.int(5);
  if (schema === 0) {
    const boxes = random.between(3, 40),
      per = random.between(4, 36),
      given = random.between(1, boxes * per - 1);
    const total = boxes * per;
    return {
      prompt: `${name} buys ${boxes} ${container}s of ${item}, each holding ${per}. ${pronoun(name)} gives away ${given} ${item}. How many ${item} are left?`,
      steps: [
        `Total ${item}: ${boxes} × ${per} = ${total}.`,
        `After giving away ${given}: ${total} − ${given} = ${total - given}.`,
      ],
      answer: String(total - given),
      capability: 'reasoning',
    };
  }
  if (schema === 1) {
    const price = random.between(2, 90),
      count = random.between(2, 25),
      discount = random.pick([5, 10, 15, 20, 25, 30, 40]);
    const gross = price * count,
      saved = (gross * discount) / 100;
    return {
      prompt: `A shop sells ${item} at $${price} each. ${name} buys ${count} of them with a ${discount}% discount on the total. How much does ${name} pay?`,
      steps: [
        `Price before discount: ${count} × $${price} = $${gross}.`,
        `Discount: ${discount}% of $${gross} = $${saved}.`,
        `Paid: $${gross} − $${saved} = $${gross - saved}.`,
      ],
      answer: `$${gross - saved}`,
      capability: 'reasoning',
    };
  }
  if (schema === 2) {
    const speed1 = random.between(20, 90),
      hours1 = random.between(1, 6),
      speed2 = random.between(20, 90),
      hours2 = random.between(1, 6);
    const distance = speed1 * hours1 + speed2 * hours2;
    return {
      prompt: `${name} drives ${hours1} hour${hours1 === 1 ? '' : 's'} at ${speed1} km/h, then ${hours2} hour${hours2 === 1 ? '' : 's'} at ${speed2} km/h. What is the average speed for the whole trip, in km/h?`,
      steps: [
        `First leg: ${speed1} × ${hours1} = ${speed1 * hours1} km.`,
        `Second leg: ${speed2} × ${hours2} = ${speed2 * hours2} km.`,
        `Total: ${distance} km in ${hours1 + hours2} h.`,
        `Average: ${distance} / ${hours1 + hours2} = ${(distance / (hours1 + hours2)).toFixed(2)} km/h.`,
      ],
      answer: (distance / (hours1 + hours2)).toFixed(2),
      capability: 'reasoning',
    };
  }
  if (schema === 3) {
    const a = random.between(2, 30),
      b = random.between(2, 30),
      c = random.between(1, 200);
    return {
      prompt: `Find all integer x with ${a}x + ${b} ≤ ${c} and x ≥ 0. How many are there?`,
      steps: [
        `${a}x ≤ ${c} − ${b} = ${c - b}.`,
        `x ≤ ${(c - b) / a}.`,
        `Integers from 0 to ${Math.floor((c - b) / a)}.`,
      ],
      answer: String(Math.max(0, Math.floor((c - b) / a) + 1)),
      capability: 'reasoning',
    };
  }
  const workers = random.between(2, 12),
    days = random.between(2, 20),
    more = random.between(1, 10);
  const work = workers * days;
  return {
    prompt: `${workers} workers finish a job in ${days} days. How many days would ${workers + more} workers need, working at the same rate?`,
    steps: [
      `Work: ${workers} × ${days} = ${work} worker-days.`,
      `Days: ${work} / ${workers + more} = ${(work / (workers + more)).toFixed(2)}.`,
    ],
    answer: (work / (workers + more)).toFixed(2),
    capability: 'reasoning',
  };
}

/** A programming task with a fresh combination of language, data structure, goal and constraint. */
export function codingTask(random: Random): GeneratedTask {
  const language = random.pick(languages);
  const structure = random.pick(structures);
  const goal = random.pick(goals);
  const constraint = random.pick(constraints);
  const functionName = `${random.pick(['solve', 'compute', 'find', 'process', 'analyze', 'build', 'check'])}_${random.token(4)}`;
  const prompt =
    `Write a ${language} function \`${functionName}\` that takes ${structure} and ${goal}. ${constraint}`.trim();
  return {
    prompt,
    steps: [
      `Clarify the input: ${structure}; the function ${goal}.`,
      `Choose an approach: a single pass with an auxiliary index keeps it linear.`,
      `Handle edge cases: empty input, one element, repeated values.`,
      `Implement ${functionName} in ${language} and check it on a small example.`,
    ],
    answer: `def ${functionName}(data):\n    result = []\n    for index, value in enumerate(data):\n        result.append((index, value))\n    return result`,
    capability: 'coding',
  };
}
