// Rows a command left out because their raw record, kept as a pointer into an imported file,
// could not be read back (the file is gone or has changed): counted per file, reported once.

export class SkippedRows {
  private readonly byPath = new Map<string, { count: number; firstSeq: number; reason: string }>();
  count = 0;

  add(seq: number, path: string, reason: string): void {
    this.count += 1;
    const seen = this.byPath.get(path);
    if (seen) seen.count += 1;
    else this.byPath.set(path, { count: 1, firstSeq: seq, reason });
  }

  /** One message: how many rows were skipped, per file, why, and what to do. */
  describe(): string {
    const files = [...this.byPath].map(
      ([path, { count, firstSeq, reason }]) =>
        `${count.toLocaleString('en-US')} from '${path}', which ${reason} (first: interaction ${firstSeq})`,
    );
    return `skipped ${this.count.toLocaleString('en-US')} interactions whose imported file could not be read back: ${files.join('; ')}. Restore the file as it was imported, or re-import it into a new --db.`;
  }
}
