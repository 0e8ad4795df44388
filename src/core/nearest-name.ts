// The known name closest to a misspelt one, for "did you mean ...?" in config errors: optimal
// string alignment distance (Levenshtein plus adjacent transpositions, Damerau 1964).

/** Edits (insert, delete, substitute, swap two adjacent characters) that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  const table: number[][] = Array.from({ length: rows }, (_, row) =>
    Array.from({ length: columns }, (_, column) => (row === 0 ? column : column === 0 ? row : 0)),
  );
  for (let row = 1; row < rows; row += 1) {
    for (let column = 1; column < columns; column += 1) {
      const cost = a[row - 1] === b[column - 1] ? 0 : 1;
      let best = Math.min(
        table[row - 1][column] + 1,
        table[row][column - 1] + 1,
        table[row - 1][column - 1] + cost,
      );
      if (row > 1 && column > 1 && a[row - 1] === b[column - 2] && a[row - 2] === b[column - 1])
        best = Math.min(best, table[row - 2][column - 2] + 1);
      table[row][column] = best;
    }
  }
  return table[a.length][b.length];
}

/**
 * The candidate `word` was most likely meant to be, or null when none is close: within a third of
 * the word's length in edits (at least 1), ignoring case, or the start of a known name (`timeout`
 * for `timeout_ms`).
 * @example nearestName('timout_ms', ['timeout_ms', 'connections']) // 'timeout_ms'
 */
export function nearestName(word: string, candidates: readonly string[]): string | null {
  const lower = word.toLowerCase();
  let best: { name: string; distance: number } | null = null;
  for (const name of candidates) {
    const candidate = name.toLowerCase();
    const distance =
      lower.length >= 4 && candidate.startsWith(lower) ? 0.5 : editDistance(lower, candidate);
    if (best === null || distance < best.distance) best = { name, distance };
  }
  if (best === null) return null;
  return best.distance <= Math.max(1, Math.floor(word.length / 3)) ? best.name : null;
}
