// The signing app in Debian's Chromium: what the first load transfers, how long a keystroke
// takes to show its message, and how soon the form is interactive. Run by `cargo xtask bench`
// (xtask/src/bench_app.rs):
//
//   node tests/bench/app.mjs <base URL> <runs> [content.json] [phone runs] [static page name]
//
// The server sends the files brotli-compressed (xtask/src/bench_app.rs), as production would.
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
// - The journey on a phone and on a desktop (issue 20): see "Profiles" below.
// Prints one JSON object.
import { chromium } from '@playwright/test';
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';

const [base, runsArg, contentJson, phoneRunsArg, staticName] = process.argv.slice(2);
if (!base) {
  console.error('usage: node tests/bench/app.mjs <base URL> [runs] [content.json] [phone runs] [static page name]');
  process.exit(2);
}
const runs = Math.max(1, Number(runsArg ?? 10));
const phoneRuns = Math.max(1, Number(phoneRunsArg ?? 5));
const staticPage = staticName ?? 'bench-app-static.html';
const KEYSTROKES = 400;
const BUDGET_BROTLI = 200_000;
const BUDGET_P95_MS = 4;
// Issue 20's budgets for the phone profile.
const BUDGET_FCP_RATIO = 1.1;
const BUDGET_TAP_TO_FORM_MS = 150;
const BUDGET_FOCUS_TO_STEP_MS = 100;
const BUDGET_PHONE_P95_MS = 8;
const BUDGET_JOURNEY_BYTES = 300_000;

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

/** A deferred part's wasm (src/deferred.rs, scripts/split.mjs), by its URL's path. */
const DEFERRED_WASM = /\/(chunk|split)_[^/]*\.wasm$/;

/**
 * Waits until no request has started or ended for `quietMs` and, on a page that counts its
 * requests in flight (`trackRequests`), none is still arriving (for at most 60 s): a chunk
 * downloading on a slow link is not a quiet network.
 */
async function networkQuiet(page, quietMs = 1000) {
  let last = Date.now();
  const bump = () => { last = Date.now(); };
  page.on('request', bump);
  page.on('requestfinished', bump);
  page.on('requestfailed', bump);
  const deadline = Date.now() + 60_000;
  const busy = () => (page.__inFlight?.size ?? 0) > 0 && Date.now() < deadline;
  while (busy() || Date.now() - last < quietMs) await page.waitForTimeout(100);
  page.off('request', bump);
  page.off('requestfinished', bump);
  page.off('requestfailed', bump);
}

/** Keeps `page.__inFlight`, the requests started and not yet finished or failed. */
function trackRequests(page) {
  page.__inFlight = new Set();
  page.on('request', (r) => page.__inFlight.add(r));
  page.on('requestfinished', (r) => page.__inFlight.delete(r));
  page.on('requestfailed', (r) => page.__inFlight.delete(r));
}

/** Scrolls to the form's placeholder, as a reader scrolling down the agreement reaches it. */
async function scrollToForm(page) {
  // The app's placeholder, once it has taken over the page rendered at build time (whose own
  // placeholder sits higher when the prefill adds product lines).
  await page.waitForFunction(() => !document.getElementById('qianyue-prerendered'), null, { timeout: 60_000 });
  await page.evaluate(() => document.querySelector('[data-deferred="waiting"]').scrollIntoView());
  await page.waitForSelector('[name="customer.cert_number"]');
}

// The first load is what the page fetches until its first screen works — the agreement, its
// language switch and the link to the form, the app having taken over the page rendered at
// build time — without the reader touching anything. Then, in idle time, the form's and the
// signing step's code are prefetched (src/components/app.rs); what scrolling to the form and
// working in it still fetch is reported apart.
async function firstLoad() {
  const context = await newContext();
  const page = await context.newPage();
  const bodies = [];
  recordAssets(page, bodies);
  const html = await page.goto(`${base}/`, { waitUntil: 'load' });
  const htmlBody = await html.body();
  // Until the app works (it has taken over the page rendered at build time): then the first
  // load is in; what follows unasked is the idle prefetch of the journey's parts.
  await page.waitForFunction(() => document.querySelector('[data-deferred="waiting"]')
    && !document.getElementById('qianyue-prerendered'), null, { timeout: 30_000 });
  await networkQuiet(page);
  // By file, not by time (on a fast machine the prefetch starts before this script hears the
  // app works): the deferred parts' chunks are the prefetch, the rest the first load.
  const chunk = (f) => DEFERRED_WASM.test(f.path);
  const received = await sizes(bodies.splice(0));
  const files = received.filter((f) => !chunk(f));
  const prefetched = received.filter(chunk);
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
    // The page itself, which now carries the first screen's markup (not in the budget's sum,
    // which is the code and styles).
    html_raw: htmlBody.length,
    html_brotli: brotliCompressSync(htmlBody, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    prefetched_in_idle: {
      trigger: 'none: fetched once the first screen works and the browser is idle',
      files: prefetched,
      total_brotli: sum(prefetched),
    },
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
async function keystrokes(lines, profile = null, budgetMs = BUDGET_P95_MS) {
  const context = profile ? await profile.context() : await newContext();
  const page = await context.newPage();
  if (profile) await profile.throttle(context, page);
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
    within_budget: percentile(m, 95) <= budgetMs,
  };
}

// --- Time to interactive ----------------------------------------------------------------
// Interactive: the first screen is in the document with its handlers (the form's placeholder,
// rendered after the agreement, exists). Then, in the same load, the form: from scrolling to it
// until its fields are there; and the signing step: from a focus in the form until
// sign-and-send is there.
function watchForForm() {
  const check = () => {
    if (window.__interactive === undefined && document.querySelector('[data-deferred="waiting"]')
      && !document.getElementById('qianyue-prerendered')) {
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

// --- Profiles: the journey on a phone and on a desktop, beside the static page (issue 20) ---
// Mobile: 375 × 740 at device scale 2, touch, a phone's user agent, CPU 4× slower
// (Emulation.setCPUThrottlingRate), 150 ms round trips, 1.6 Mbit/s down and 0.75 up
// (Network.emulateNetworkConditions), cache disabled, service workers blocked. Desktop: the
// viewport of the figures above, no throttling, cache disabled, service workers blocked.
const MOBILE_UA = 'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) '
  + 'Chrome/156.0.0.0 Mobile Safari/537.36';
const profiles = {
  mobile: {
    description: 'viewport 375x740 @2x, touch, mobile UA, CPU 4x slowdown, 150 ms RTT, 1.6 Mbit/s down, '
      + '0.75 Mbit/s up, cache disabled, service workers blocked',
    touch: true,
    context: () => browser.newContext({
      viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
      userAgent: MOBILE_UA, serviceWorkers: 'block',
    }),
    async throttle(context, page) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false, latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8,
      });
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      return cdp;
    },
  },
  desktop: {
    description: 'viewport 1280x900, no throttling, cache disabled, service workers blocked',
    touch: false,
    context: newContext,
    async throttle(context, page) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      return cdp;
    },
  },
};

// Installed before any script of the page runs: first contentful paint (Paint Timing), the
// agreement in the DOM (all four parts and the last part's final text, as
// tests/bench/first-render.mjs), the first screen working (the form's placeholder, rendered by
// the app after the agreement and the link to the form), the tap on "填写并签署" (its first
// pointerdown or click, the event's own time stamp), the form usable (its first field there,
// enabled, connected), the first focus inside the form, and the signing step (sign-and-send)
// there. All in ms since navigation start.
function watchJourney() {
  const w = window;
  const now = () => performance.now();
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.name === 'first-contentful-paint' && w.__fcp === undefined) w.__fcp = e.startTime;
  }).observe({ type: 'paint', buffered: true });
  const check = () => {
    if (w.__inDom === undefined && document.querySelectorAll('[data-part]').length === 4
      && document.querySelector('[data-part="authorization"] [data-block="copies"] .cell')?.textContent.includes('一式二联')) {
      w.__inDom = now();
    }
    // The app's own placeholder: the page rendered at build time has one too, so the app
    // counts once it has taken that page over (src/takeover.js).
    if (w.__interactive === undefined && document.querySelector('[data-deferred="waiting"]')
      && !document.getElementById('qianyue-prerendered')) w.__interactive = now();
    const field = document.querySelector('[name="customer.cert_number"]');
    if (w.__tap !== undefined && w.__formReady === undefined && field && field.isConnected && !field.disabled) {
      w.__formReady = now();
    }
    if (w.__focus !== undefined && w.__stepReady === undefined && document.querySelector('#sign-and-send')) {
      w.__stepReady = now();
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
  document.addEventListener('DOMContentLoaded', check);
  const tapped = (ev) => {
    if (w.__tap === undefined && ev.target instanceof Element && ev.target.closest('a.to-signing')) {
      w.__tap = ev.timeStamp;
      check();
    }
  };
  document.addEventListener('pointerdown', tapped, true);
  document.addEventListener('click', tapped, true);
  document.addEventListener('focusin', (ev) => {
    if (w.__focus === undefined && ev.target instanceof Element && ev.target.closest('form')) {
      w.__focus = ev.timeStamp;
      check();
    }
  }, true);
}

/** Sums the bytes received (CDP `encodedDataLength`: headers and body as sent) into `tally`. */
function countBytes(cdp, tally) {
  const urls = new Map();
  tally.files = [];
  cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, e.response.url));
  cdp.on('Network.loadingFinished', (e) => {
    tally.bytes += e.encodedDataLength;
    tally.responses += 1;
    const url = urls.get(e.requestId);
    tally.files.push([url ? new URL(url).pathname : '?', e.encodedDataLength]);
  });
}

const waitFor = (page, what) => page.waitForFunction((name) => window[name] !== undefined, what, { timeout: 120_000 });

/** A fresh page of `profile`, throttled, the bytes it receives tallied, the journey watched. */
async function watchedPage(profile) {
  const context = await profile.context();
  const page = await context.newPage();
  trackRequests(page);
  const cdp = await profile.throttle(context, page);
  const tally = { bytes: 0, responses: 0 };
  countBytes(cdp, tally);
  await page.addInitScript(watchJourney);
  return { context, page, tally };
}

/** One fresh load of the static copy: FCP, agreement in DOM, bytes until the network is quiet. */
async function staticOnce(profile) {
  const { context, page, tally } = await watchedPage(profile);
  await page.goto(`${base}/${staticPage}`, { waitUntil: 'load', timeout: 120_000 });
  await waitFor(page, '__fcp');
  await waitFor(page, '__inDom');
  await networkQuiet(page);
  const t = await page.evaluate(() => ({ fcp: window.__fcp, inDom: window.__inDom }));
  await context.close();
  return { ...t, bytes: tally.bytes, responses: tally.responses };
}

// One fresh load of the app and the reader's journey: the first screen; once it works and the
// network is quiet, the idle prefetch done (a reader reading), a tap (or click) on "填写并签署"; the form usable; the
// first focus in the form (the link focuses the first field itself; if it did not, the bench
// focuses it); the signing step there; a keystroke in the field is accepted; the network quiet.
// Bytes: every response from the navigation to the end, and those before the tap apart.
async function journeyOnce(profile) {
  const { context, page, tally } = await watchedPage(profile);
  await page.goto(`${base}/`, { waitUntil: 'load', timeout: 120_000 });
  await waitFor(page, '__fcp');
  await waitFor(page, '__inDom');
  await waitFor(page, '__interactive');
  await networkQuiet(page);
  // The first load: every response but the deferred parts' chunks, which the app fetches in
  // idle time once it works (or later) and which count for the journey only. (By file, not by
  // time: on a fast machine the prefetch is done before this script hears the app works.)
  const firstLoadBytes = tally.files
    .filter(([path]) => !DEFERRED_WASM.test(path))
    .reduce((sum, [, bytes]) => sum + bytes, 0);
  if (profile.touch) await page.tap('a.to-signing');
  else await page.click('a.to-signing');
  await waitFor(page, '__formReady');
  // The link focuses the first field once the form is there; give it a moment, then focus.
  await page.waitForFunction(() => window.__focus !== undefined, null, { timeout: 2_000 }).catch(() => {});
  const focusedByLink = await page.evaluate(() => window.__focus !== undefined);
  if (!focusedByLink) await page.locator('[name="customer.cert_number"]').focus();
  await waitFor(page, '__stepReady');
  const field = page.locator('[name="customer.cert_number"]');
  await field.focus();
  await page.keyboard.press('End');
  await page.keyboard.type('9');
  const accepted = (await field.inputValue()).endsWith('9');
  await networkQuiet(page);
  const t = await page.evaluate((deferredWasm) => {
    // The signing step's code (with the form's, one file prefetched in idle time): when its
    // last byte came, from the first focus. Above 0 the step waited on the network, not on the main thread.
    const chunk = performance.getEntriesByType('resource').find((e) => /\/split_journey-[^/]*\.wasm$/.test(e.name));
    // The idle prefetch: from the first screen working to the last byte of the last deferred
    // chunk fetched before the tap; a tap in that window waits on the network.
    const prefetched = performance.getEntriesByType('resource')
      .filter((e) => new RegExp(deferredWasm).test(new URL(e.name).pathname) && e.startTime < window.__tap)
      .map((e) => e.responseEnd);
    return {
      prefetchDone: prefetched.length ? Math.max(...prefetched) - window.__interactive : null,
      fcp: window.__fcp, inDom: window.__inDom, interactive: window.__interactive,
      tapToForm: window.__formReady - window.__tap, focusToStep: window.__stepReady - window.__focus,
      stepCodeAfterFocus: chunk ? chunk.responseEnd - window.__focus : null,
    };
  }, DEFERRED_WASM.source);
  await context.close();
  return { ...t, focusedByLink, accepted, firstLoadBytes, bytes: tally.bytes, responses: tally.responses, files: tally.files };
}

const ratio = (a, b) => (b ? Math.round((a / b) * 100) / 100 : null);
const stat = (xs) => ({ median: round(median(xs)), samples: xs.map(round) });

async function profileRun(name, n, p95Budget) {
  const profile = profiles[name];
  // One discarded warm-up of each, then app and static page alternated.
  await journeyOnce(profile);
  await staticOnce(profile);
  const app = [];
  const stat_ = [];
  for (let i = 0; i < n; i++) {
    app.push(await journeyOnce(profile));
    stat_.push(await staticOnce(profile));
  }
  const key1 = await keystrokes(1, profile, p95Budget);
  const key100 = await keystrokes(100, profile, p95Budget);
  const fcpRatio = ratio(median(app.map((s) => s.fcp)), median(stat_.map((s) => s.fcp)));
  const out = {
    description: profile.description,
    runs: n,
    app: {
      fcp_ms: stat(app.map((s) => s.fcp)),
      agreement_in_dom_ms: stat(app.map((s) => s.inDom)),
      first_screen_works_ms: stat(app.map((s) => s.interactive)),
    },
    static: {
      page: `/${staticPage}`,
      fcp_ms: stat(stat_.map((s) => s.fcp)),
      agreement_in_dom_ms: stat(stat_.map((s) => s.inDom)),
    },
    ratio_fcp_app_to_static: fcpRatio,
    ratio_agreement_in_dom_app_to_static: ratio(median(app.map((s) => s.inDom)), median(stat_.map((s) => s.inDom))),
    tap_to_usable_form_ms: stat(app.map((s) => s.tapToForm)),
    focus_to_signing_step_ms: stat(app.map((s) => s.focusToStep)),
    // Per run, in the order above: > 0 when the signing step's chunk was still arriving at the
    // first focus (the prefetch had not finished when the reader tapped).
    signing_chunk_arrived_after_focus_ms: app.map((s) => (s.stepCodeAfterFocus === null ? null : round(s.stepCodeAfterFocus))),
    // From the first screen working to the idle prefetch's last byte: how long a reader must
    // read before "填写并签署" and the form wait on nothing (the tap comes after it).
    prefetch_done_after_first_screen_ms: stat(app.filter((s) => s.prefetchDone !== null).map((s) => s.prefetchDone)),
    form_focused_by_the_link: app.every((s) => s.focusedByLink),
    keystroke_accepted_in_the_form: app.every((s) => s.accepted),
    transferred_bytes: {
      how: 'CDP Network.loadingFinished encodedDataLength (headers + body as sent, brotli q11), every response',
      app_first_load: stat(app.map((s) => s.firstLoadBytes)),
      app_whole_journey: stat(app.map((s) => s.bytes)),
      app_whole_journey_responses: median(app.map((s) => s.responses)),
      static_page: stat(stat_.map((s) => s.bytes)),
      static_page_responses: median(stat_.map((s) => s.responses)),
      app_whole_journey_files_first_run: Object.fromEntries(app[0].files),
    },
    keystroke_to_message: { lines_1: key1, lines_100: key100 },
  };
  return out;
}

// The static copy: the app's first screen as rendered (desktop profile, network quiet), saved
// as HTML with its stylesheets and without scripts or preloads of scripts and wasm.
async function writeStaticCopy() {
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(`${base}/`, { waitUntil: 'load' });
  await page.waitForSelector('[data-deferred="waiting"]', { state: 'attached' });
  await networkQuiet(page);
  let html = await page.evaluate(() => '<!DOCTYPE html>\n' + document.documentElement.outerHTML);
  await context.close();
  html = html
    .replace(/<script\b[\s\S]*?<\/script>/gi, '')
    .replace(/<link\b[^>]*\brel="(?:modulepreload|preload|prefetch|manifest)"[^>]*>/gi, '');
  const file = `dist/${staticPage}`;
  writeFileSync(file, html);
  writeFileSync(`${file}.br`, brotliCompressSync(Buffer.from(html), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  return { bytes: Buffer.byteLength(html), scripts_left: /<script\b/i.test(html) };
}

const staticCopy = await writeStaticCopy();
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
const mobile = await profileRun('mobile', phoneRuns, BUDGET_PHONE_P95_MS);
const desktop = await profileRun('desktop', Math.max(5, runs), BUDGET_P95_MS);
await browser.close();

let staticMs = null;
if (contentJson && existsSync(contentJson)) {
  const content = JSON.parse(readFileSync(contentJson, 'utf8'));
  staticMs = content?.first_render?.static?.median_complete_in_dom_ms ?? null;
}
const ttiMedian = median(tti);
const budget = (name, limit, value, unit) => ({ name, limit, value, unit, met: value !== null && value <= limit });
const budgets = [
  budget('mobile: first contentful paint, app / static', BUDGET_FCP_RATIO, mobile.ratio_fcp_app_to_static, 'ratio'),
  budget('mobile: tap on 填写并签署 → usable form (median)', BUDGET_TAP_TO_FORM_MS, mobile.tap_to_usable_form_ms.median, 'ms'),
  budget('mobile: first focus in the form → signing step (median)', BUDGET_FOCUS_TO_STEP_MS, mobile.focus_to_signing_step_ms.median, 'ms'),
  budget('mobile: keystroke → message p95 at 100 lines', BUDGET_PHONE_P95_MS, mobile.keystroke_to_message.lines_100.to_message_p95_ms, 'ms'),
  budget('desktop: keystroke → message p95 at 1 line', BUDGET_P95_MS, desktop.keystroke_to_message.lines_1.to_message_p95_ms, 'ms'),
  budget('desktop: keystroke → message p95 at 100 lines', BUDGET_P95_MS, desktop.keystroke_to_message.lines_100.to_message_p95_ms, 'ms'),
  budget('whole journey transferred (mobile, median, brotli)', BUDGET_JOURNEY_BYTES, mobile.transferred_bytes.app_whole_journey.median, 'bytes'),
  budget('first load, wasm + JS + CSS brotli', BUDGET_BROTLI, load.total_brotli, 'bytes'),
];
console.log(JSON.stringify({
  browser: 'chromium (headless), viewport 1280x900, fresh context per load, service workers blocked',
  budgets,
  profiles: { mobile, desktop, static_copy: staticCopy },
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
