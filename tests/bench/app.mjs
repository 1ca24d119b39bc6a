// The signing app in Debian's Chromium: what the first load transfers, how long a keystroke
// takes to show its message, and how soon the form is interactive. Run by `cargo xtask bench`
// (xtask/src/bench_app.rs):
//
//   node tests/bench/app.mjs <base URL> <runs> [content.json]
//
// - First load: every wasm, JS and CSS response of a fresh load (empty cache, service workers
//   blocked) until the first screen works and the network is quiet, each compressed here with
//   brotli quality 11 (what a server would send with `Content-Encoding: br`). The agreement
//   text is inside the wasm. Apart: what reaching the form adds, then what reaching the
//   signing step adds (src/deferred.rs).
// - Keystroke to message: the USCC field, once left, gets a valid and a wrong code in turn
//   (one `input` event each); `performance.mark` before the event and when the field's message
//   element has changed (MutationObserver), `performance.measure` between them. Also the time
//   until the task queue is reached again (everything the keystroke set off, previews and all).
//   With 1 product line and with 100.
// - Time to interactive: from navigation start until the first screen works — the agreement
//   with the language switch and the link to the form (the form's placeholder, rendered after
//   them, exists) — per fresh load; beside it the static page's time to complete text from
//   bench-results/content.json, when present; then, in the same load, from scrolling to the
//   form until its fields are there, and from a first focus in the form until the signing
//   step is there.
// Prints one JSON object.
import { chromium } from '@playwright/test';
import { readFileSync, existsSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';

const [base, runsArg, contentJson] = process.argv.slice(2);
if (!base) {
  console.error('usage: node tests/bench/app.mjs <base URL> [runs] [content.json]');
  process.exit(2);
}
const runs = Math.max(1, Number(runsArg ?? 10));
const KEYSTROKES = 400;
const BUDGET_BROTLI = 200_000;
const BUDGET_P95_MS = 4;

const seed = JSON.parse(readFileSync('crates/domain/tests/fixtures/seed-form-with-fees.json', 'utf8'));

/** The seed with `n` product lines (copies of its first, numbered apart). */
function formWithLines(n) {
  const form = structuredClone(seed);
  const line = seed.orders[0];
  form.orders = Array.from({ length: n }, (_, i) => ({
    ...line,
    sub_order_no: String(7552304046000000 + i),
    product_number: String(30221110000 + i),
  }));
  return form;
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
const newContext = () => browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block' });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const round = (x) => Math.round(x * 1000) / 1000;

// --- First load -------------------------------------------------------------------------
/** Records the path and body of every wasm, JS and CSS response of `page` into `into`. */
function recordAssets(page, into) {
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (/\.(wasm|js|css)$/.test(url.pathname) && response.ok()) into.push(response.body().then((b) => [url.pathname, b]));
  });
}

async function sizes(bodies) {
  return (await Promise.all(bodies)).map(([path, body]) => ({
    path,
    kind: path.split('.').pop(),
    raw: body.length,
    brotli: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  }));
}

/** Waits until no request has started for `quietMs`. */
async function networkQuiet(page, quietMs = 1000) {
  let last = Date.now();
  const bump = () => { last = Date.now(); };
  page.on('request', bump);
  while (Date.now() - last < quietMs) await page.waitForTimeout(100);
  page.off('request', bump);
}

/** Scrolls to the form's placeholder, as a reader scrolling down the agreement reaches it. */
async function scrollToForm(page) {
  await page.evaluate(() => document.querySelector('[data-deferred="waiting"]').scrollIntoView());
  await page.waitForSelector('[name="customer.cert_number"]');
}

// The first load is what the page fetches until its first screen works — the agreement, its
// language switch and the link to the form — and the network is quiet, without the reader
// touching anything. The form is fetched when the reader scrolls near it (or follows the link)
// and the signing step when they work in the form (src/deferred.rs): reported apart, as what
// reaching each adds.
async function firstLoad() {
  const context = await newContext();
  const page = await context.newPage();
  const bodies = [];
  recordAssets(page, bodies);
  await page.goto(`${base}/`, { waitUntil: 'load' });
  await page.waitForSelector('[data-deferred="waiting"]', { state: 'attached' });
  await networkQuiet(page);
  const files = await sizes(bodies.splice(0));
  await scrollToForm(page);
  await networkQuiet(page);
  const form = await sizes(bodies.splice(0));
  await page.locator('[name="customer.cert_number"]').focus();
  await page.waitForSelector('#sign-and-send');
  await networkQuiet(page);
  const later = await sizes(bodies.splice(0));
  await context.close();
  const sum = (list, kind) => list.filter((f) => !kind || f.kind === kind).reduce((a, f) => a + f.brotli, 0);
  const total = sum(files);
  return {
    files,
    wasm_brotli: sum(files, 'wasm'),
    js_brotli: sum(files, 'js'),
    css_brotli: sum(files, 'css'),
    total_brotli: total,
    total_raw: files.reduce((a, f) => a + f.raw, 0),
    budget_brotli: BUDGET_BROTLI,
    within_budget: total <= BUDGET_BROTLI,
    form: {
      trigger: 'scrolling near the form (or following the link to it)',
      files: form,
      total_brotli: sum(form),
    },
    signing_step: {
      trigger: 'focus in the form (or scrolling near the step)',
      files: later,
      total_brotli: sum(later),
    },
  };
}

// --- Keystroke to message ---------------------------------------------------------------
async function keystrokes(lines) {
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(`${base}/#prefill=${encodeURIComponent(JSON.stringify(formWithLines(lines)))}`);
  await page.waitForSelector('[data-deferred="waiting"]', { state: 'attached' });
  await scrollToForm(page);
  await page.waitForSelector(`[name="orders.${lines - 1}.investment"]`);
  // The whole form, as when the reader types: the signing step comes on the first focus.
  await page.locator('[name="customer.cert_number"]').focus();
  await page.waitForSelector('#sign-and-send');
  const result = await page.evaluate(async (count) => {
    const input = document.querySelector('[name="customer.cert_number"]');
    const message = document.getElementById(input.getAttribute('aria-describedby'));
    const good = '91440300758613572G';
    const bad = '91440300758613572H';
    input.focus();
    input.blur();
    const idle = () => new Promise((resolve) => setTimeout(resolve, 0));
    await idle();
    const toMessage = [];
    const toIdle = [];
    for (let i = 0; i < count; i++) {
      const changed = new Promise((resolve) => {
        const observer = new MutationObserver(() => {
          observer.disconnect();
          resolve();
        });
        observer.observe(message, { childList: true, subtree: true, characterData: true });
      });
      const start = `qy-keystroke-${i}`;
      performance.mark(start);
      input.value = i % 2 === 0 ? bad : good;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await changed;
      performance.mark(`qy-message-${i}`);
      toMessage.push(performance.measure('qy-keystroke-to-message', start, `qy-message-${i}`).duration);
      await idle();
      performance.mark(`qy-idle-${i}`);
      toIdle.push(performance.measure('qy-keystroke-to-idle', start, `qy-idle-${i}`).duration);
      // Let the draft's timer and anything else that waits for a pause run.
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return { toMessage, toIdle, invalid: input.getAttribute('aria-invalid') };
  }, KEYSTROKES);
  await context.close();
  // The first few warm the JIT and caches; they are reported but not in the percentiles.
  const warm = 10;
  const m = result.toMessage.slice(warm);
  const t = result.toIdle.slice(warm);
  return {
    product_lines: lines,
    keystrokes: m.length,
    to_message_p50_ms: round(percentile(m, 50)),
    to_message_p95_ms: round(percentile(m, 95)),
    to_message_max_ms: round(Math.max(...m)),
    to_idle_p50_ms: round(percentile(t, 50)),
    to_idle_p95_ms: round(percentile(t, 95)),
    within_budget: percentile(m, 95) <= BUDGET_P95_MS,
  };
}

// --- Time to interactive ----------------------------------------------------------------
// Interactive: the first screen is in the document with its handlers (the form's placeholder,
// rendered after the agreement, exists). Then, in the same load, the form: from scrolling to it
// until its fields are there; and the signing step: from a focus in the form until
// sign-and-send is there.
function watchForForm() {
  const check = () => {
    if (window.__interactive === undefined && document.querySelector('[data-deferred="waiting"]')) {
      window.__interactive = performance.now();
    }
    if (window.__formAsked !== undefined && window.__formReady === undefined && document.querySelector('[name="customer.cert_number"]')) {
      window.__formReady = performance.now();
    }
    if (window.__stepAsked !== undefined && window.__stepReady === undefined && document.querySelector('#sign-and-send')) {
      window.__stepReady = performance.now();
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
}

async function timeToInteractive() {
  const context = await newContext();
  const page = await context.newPage();
  await page.addInitScript(watchForForm);
  await page.goto(`${base}/`, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__interactive !== undefined, null, { timeout: 30_000 });
  const t = await page.evaluate(() => window.__interactive);
  await page.evaluate(() => {
    window.__formAsked = performance.now();
    document.querySelector('[data-deferred="waiting"]').scrollIntoView();
  });
  await page.waitForFunction(() => window.__formReady !== undefined, null, { timeout: 30_000 });
  const formMs = await page.evaluate(() => window.__formReady - window.__formAsked);
  await page.evaluate(() => {
    window.__stepAsked = performance.now();
    document.querySelector('[name="customer.cert_number"]').focus();
  });
  await page.waitForFunction(() => window.__stepReady !== undefined, null, { timeout: 30_000 });
  const step = await page.evaluate(() => window.__stepReady - window.__stepAsked);
  await context.close();
  return [t, formMs, step];
}

const load = await firstLoad();
const key1 = await keystrokes(1);
const key100 = await keystrokes(100);
await timeToInteractive();
const tti = [];
const formReady = [];
const step = [];
for (let i = 0; i < runs; i++) {
  const [t, f, s] = await timeToInteractive();
  tti.push(t);
  formReady.push(f);
  step.push(s);
}
await browser.close();

let staticMs = null;
if (contentJson && existsSync(contentJson)) {
  const content = JSON.parse(readFileSync(contentJson, 'utf8'));
  staticMs = content?.first_render?.static?.median_complete_in_dom_ms ?? null;
}
const ttiMedian = median(tti);
console.log(JSON.stringify({
  browser: 'chromium (headless), viewport 1280x900, fresh context per load, service workers blocked',
  first_load: load,
  keystroke_to_message: {
    field: 'customer.cert_number (valid and wrong check character in turn)',
    budget_p95_ms: BUDGET_P95_MS,
    lines_1: key1,
    lines_100: key100,
  },
  time_to_interactive: {
    runs,
    median_ms: round(ttiMedian),
    samples_ms: tti.map(round),
    static_page_complete_median_ms: staticMs,
    ratio_app_to_static: staticMs ? Math.round((ttiMedian / staticMs) * 100) / 100 : null,
    form_after_scrolling_to_it_median_ms: round(median(formReady)),
    form_samples_ms: formReady.map(round),
    signing_step_after_first_focus_median_ms: round(median(step)),
    signing_step_samples_ms: step.map(round),
  },
}, null, 2));
