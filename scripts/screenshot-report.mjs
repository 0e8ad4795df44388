// Screenshots of an evidence report's first two printed pages, for docs/screenshots/: the pages
// of report.pdf as pdftoppm (Debian's poppler-utils) renders them; without pdftoppm, the report
// opened in Debian's Chromium with print styles, cut at A4 page height.
//
//   node scripts/screenshot-report.mjs PACKAGE_DIR [OUT_DIR]   (OUT_DIR defaults to docs/screenshots)
import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [packageDir, outDir = 'docs/screenshots'] = process.argv.slice(2);
if (!packageDir) {
  process.stderr.write('usage: node scripts/screenshot-report.mjs PACKAGE_DIR [OUT_DIR]\n');
  process.exit(64);
}
mkdirSync(outDir, { recursive: true });
const pdf = resolve(packageDir, 'report.pdf');
if (existsSync(pdf) && spawnSync('pdftoppm', ['-v']).status === 0) {
  const prefix = join(outDir, 'evidence-report-page');
  const done = spawnSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '2', pdf, prefix], {
    stdio: 'inherit',
  });
  if (done.status !== 0) process.exit(done.status ?? 1);
  // pdftoppm names pages -1.png, -2.png (zero-padded when the document has 10 pages or more)
  for (const name of readdirSync(outDir).filter((file) => file.startsWith('evidence-report-page-')))
    renameSync(join(outDir, name), join(outDir, name.replace(/-0+(\d)\.png$/, '-$1.png')));
  process.stdout.write(`${prefix}-1.png\n${prefix}-2.png\n`);
  process.exit(0);
}
const browser = await chromium.launch({
  executablePath: process.env.DISTILLGUARD_CHROMIUM || '/usr/bin/chromium',
  args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
  chromiumSandbox: process.getuid?.() !== 0,
});
try {
  // A4 at 96 dpi, as the PDF prints it
  const page = await browser.newPage({ viewport: { width: 794, height: 1123 } });
  await page.emulateMedia({ media: 'print' });
  await page.goto(pathToFileURL(resolve(packageDir, 'report.html')).href);
  const height = await page.evaluate(() => document.body.scrollHeight);
  for (const [index, y] of [0, 1123].entries()) {
    if (y >= height) break;
    const path = join(outDir, `evidence-report-page-${index + 1}.png`);
    await page.screenshot({
      path,
      fullPage: true,
      clip: { x: 0, y, width: 794, height: Math.min(1123, height - y) },
    });
    process.stdout.write(`${path}\n`);
  }
} finally {
  await browser.close();
}
