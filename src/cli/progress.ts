// A one-line progress bar on stderr for long runs, drawn only when stderr is a terminal.

export interface ProgressBar {
  /** `done` of `total` units (total null: unknown, shows a counter); `note` is extra text such as rates. */
  update(done: number, total: number | null, note?: string): void;
  finish(): void;
}

const redrawIntervalMs = 100;
const barWidth = 28;

/** A bar labelled `label`; a no-op when `stream` is not a TTY (pipes, CI, files). */
export function createProgressBar(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressBar {
  if (!stream.isTTY) return { update: () => undefined, finish: () => undefined };
  let lastDraw = 0;
  let drawn = false;
  const started = Date.now();
  return {
    update(done, total, note = '') {
      const now = Date.now();
      if (now - lastDraw < redrawIntervalMs) return;
      lastDraw = now;
      const elapsed = ((now - started) / 1000).toFixed(0);
      let line: string;
      if (total && total > 0) {
        const share = Math.min(1, done / total);
        const filled = Math.round(share * barWidth);
        line = `${label} [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${(share * 100).toFixed(0).padStart(3)}% ${note} ${elapsed}s`;
      } else {
        line = `${label} ${done.toLocaleString('en-US')} ${note} ${elapsed}s`;
      }
      const width = stream.columns ?? 100;
      stream.write(`\r${line.slice(0, width - 1).padEnd(Math.min(width - 1, line.length + 2))}`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}
