// Undoes cheap evasions before detection: compatibility forms (NFKC), invisible characters, and
// Cyrillic/Greek look-alikes inside otherwise Latin words (Unicode TR39 "confusables", mixed-script
// case), so that "wаtеrmark" with Cyrillic а/е tokenizes as the text it imitates.

// Zero-width and invisible formatting characters (Unicode Cf that render as nothing): ZWSP, ZWNJ,
// ZWJ, word joiner, invisible operators, BOM, soft hyphen, Mongolian vowel separator.
const invisible = /[\u00AD\u180E\u200B-\u200D\u2060-\u2064\uFEFF]/g;

// Common look-alikes from Unicode's confusables.txt (TR39), Cyrillic and Greek to Latin.
const homoglyphs: Record<string, string> = {
  // Cyrillic
  а: 'a',
  в: 'B',
  е: 'e',
  к: 'k',
  м: 'M',
  н: 'H',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 'T',
  у: 'y',
  х: 'x',
  ѕ: 's',
  і: 'i',
  ј: 'j',
  ԁ: 'd',
  һ: 'h',
  ԛ: 'q',
  ԝ: 'w',
  ү: 'y',
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  У: 'Y',
  Х: 'X',
  Ѕ: 'S',
  І: 'I',
  Ј: 'J',
  Ԁ: 'D',
  Һ: 'H',
  Ԛ: 'Q',
  Ԝ: 'W',
  Ү: 'Y',
  // Greek
  α: 'a',
  ο: 'o',
  ρ: 'p',
  ν: 'v',
  ι: 'i',
  κ: 'k',
  τ: 't',
  υ: 'u',
  χ: 'x',
  γ: 'y',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
};

const cyrillicOrGreek = /[\u0370-\u03FF\u0400-\u052F]/;
const word = /[\p{L}\p{M}]+/gu;
const latin = /\p{Script=Latin}/u;
const lookAlike = new RegExp(`[${Object.keys(homoglyphs).join('')}]`, 'g');

/**
 * The text detection tokenizes. Words wholly in Cyrillic or Greek are kept (a Russian text stays
 * Russian); only words mixing them with Latin letters are mapped.
 */
export function normalizeForDetection(text: string): string {
  let normalized = text.normalize('NFKC').replace(invisible, '');
  if (!cyrillicOrGreek.test(normalized)) return normalized;
  normalized = normalized.replace(word, (token) =>
    latin.test(token) && cyrillicOrGreek.test(token)
      ? token.replace(lookAlike, (letter) => homoglyphs[letter])
      : token,
  );
  return normalized;
}
