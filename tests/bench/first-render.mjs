// Time to first render of the agreement text: the app against a static HTML page holding the
// same text, both served by xtask's static server, in Debian's Chromium. Run by
// `cargo xtask bench` (xtask/src/bench_content.rs):
//
//   node tests/bench/first-render.mjs <base URL> <static page path> <runs>
//
// A run opens a fresh browser context (empty cache) and loads the page; times are in ms since
// navigation start (see watchForAgreement). App and static page alternate, after one discarded
// warm-up of each. Prints one JSON object with the medians and their ratios.
import { chromium } from '@playwright/test';

const [base, staticPath, runsArg] = process.argv.slice(2);
if (!base || !staticPath) {
  console.error('usage: node tests/bench/first-render.mjs <base URL> <static page path> [runs]');
  process.exit(2);
}
const runs = Math.max(1, Number(runsArg ?? 15));

// Installed before any script of the page runs.
// - "painted": the Element Timing API's render time of part A's title, the first agreement text
//   a reader sees (its cell is marked with `elementtiming` in the mutation callback that sees
//   it inserted, before any paint), so layout, font loading and paint count. In the app the
//   whole agreement is rendered in one go; a static page may paint its top before the rest has
//   arrived: that is the static page's real advantage and it is measured as such.
// - "complete": when all four parts and the last part's final text are in the document.
// Element Timing reports only what is painted in the viewport, hence the first block.
function watchForAgreement() {
  const FIRST = '[data-part="order"] [data-block="title"] .cell';
  const LAST = '[data-part="authorization"] [data-block="copies"] .cell';
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.identifier === 'agreement-start' && window.__painted === undefined) {
        window.__painted = entry.renderTime || entry.loadTime;
      }
    }
  }).observe({ type: 'element', buffered: true });
  const check = () => {
    const first = document.querySelector(FIRST);
    if (first && !first.hasAttribute('elementtiming')) first.setAttribute('elementtiming', 'agreement-start');
    if (window.__complete !== undefined) return;
    const last = document.querySelector(LAST);
    if (document.querySelectorAll('[data-part]').length === 4 && last?.textContent.includes('一式二联')) {
      window.__complete = performance.now();
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
  document.addEventListener('DOMContentLoaded', check);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});

async function once(url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.addInitScript(watchForAgreement);
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__painted !== undefined && window.__complete !== undefined,
    null, { timeout: 30_000 });
  const sample = await page.evaluate(() => ({
    painted: window.__painted,
    complete: window.__complete,
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
  }));
  await context.close();
  return sample;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x) => Math.round(x * 10) / 10;

const pages = { app: `${base}/`, static: `${base}/${staticPath}` };
const samples = { app: [], static: [] };
await once(pages.app);
await once(pages.static);
for (let i = 0; i < runs; i++) {
  for (const kind of ['app', 'static']) samples[kind].push(await once(pages[kind]));
}
await browser.close();

const summary = (list) => ({
  median_painted_ms: round(median(list.map((s) => s.painted))),
  median_complete_in_dom_ms: round(median(list.map((s) => s.complete))),
  median_fcp_ms: round(median(list.map((s) => s.fcp ?? NaN).filter((x) => !Number.isNaN(x)))),
  painted_ms: list.map((s) => round(s.painted)),
});
const app = summary(samples.app);
const staticPage = summary(samples.static);
console.log(JSON.stringify({
  runs,
  browser: 'chromium (headless), viewport 1280x900, fresh context per run',
  app,
  static: staticPage,
  ratio_app_to_static_painted: Math.round((app.median_painted_ms / staticPage.median_painted_ms) * 100) / 100,
  ratio_app_to_static_complete: Math.round((app.median_complete_in_dom_ms / staticPage.median_complete_in_dom_ms) * 100) / 100,
}, null, 2).replace(/\n/g, '\n  '));
