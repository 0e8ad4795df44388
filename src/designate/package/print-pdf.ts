// Prints the evidence report to PDF with Debian's Chromium through playwright-core (no browser is
// downloaded). Where Chromium is missing, the package is complete without the PDF and says so.
import { chmodSync, existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromiumVariable } from '../../core/index.js';

export function chromiumPath(): string {
  return process.env[chromiumVariable] || '/usr/bin/chromium';
}

/** Flags for a headless Chromium on a closed network (no sync, no updates, no background fetches). */
export const quietChromiumFlags = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why no PDF can be printed here, or null when Chromium is there. */
export function pdfUnavailable(): string | null {
  const path = chromiumPath();
  return existsSync(path)
    ? null
    : `Chromium is not at ${path} (apt-get install chromium, or set ${chromiumVariable})`;
}

/** Prints `htmlPath` to `pdfPath` (A4, backgrounds on). */
export async function printPdf(htmlPath: string, pdfPath: string): Promise<void> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: quietChromiumFlags,
    // Chromium refuses its sandbox to root; elsewhere it keeps it
    chromiumSandbox: process.getuid?.() !== 0,
  });
  try {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
    await page.pdf({ path: pdfPath, format: 'A4', printBackground: true, preferCSSPageSize: true });
    chmodSync(pdfPath, 0o600);
  } finally {
    await browser.close();
  }
}
