// The first screen rendered at build time (issue 20, item 1; src/prerender.rs): the served page
// paints the agreement without any script, its markup is the app's own, and the app takes it
// over without a visible change — scroll position, selection and the reader's taps kept.
import { test, expect, type Page } from '@playwright/test';
import { AgreementPage, appLive, seedForm } from './pages';

const HOLDER = '#qianyue-prerendered';

/**
 * A page's `main` as comparable data: elements with their attributes (sorted; class tokens
 * sorted) and their text, adjacent text nodes joined and comments left out — the two copies
 * may split text into nodes differently, which nobody sees. A blank's content is the form's
 * value, which the app fills in (the signing date) and the build cannot: blanks are compared
 * by their field only. `open` is the reader's (or the width's) and is carried over.
 */
async function shape(page: Page, source: 'served' | 'live', html?: string) {
  return page.evaluate(([source, html]) => {
    const root = source === 'served'
      ? new DOMParser().parseFromString(html!, 'text/html').querySelector('#qianyue-prerendered > main')
      : document.querySelector('main.app');
    if (!root) throw new Error(`no main in the ${source} page`);
    const lines: string[] = [];
    const walk = (el: Element, depth: number) => {
      const attrs = [...el.attributes]
        .filter((a) => a.name !== 'open')
        .map((a) => {
          let value = a.value;
          if (a.name === 'class') value = value.split(/\s+/).filter((c) => c && !(el.classList.contains('blank') && c === 'empty')).sort().join(' ');
          return `${a.name}=${JSON.stringify(value)}`;
        })
        .sort();
      lines.push(`${'  '.repeat(depth)}<${el.localName} ${attrs.join(' ')}>`);
      if (el.classList.contains('blank')) return;
      let text = '';
      const flush = () => {
        if (text) lines.push(`${'  '.repeat(depth + 1)}${JSON.stringify(text)}`);
        text = '';
      };
      for (const node of el.childNodes) {
        if (node.nodeType === Node.TEXT_NODE) text += node.nodeValue;
        else if (node.nodeType === Node.ELEMENT_NODE) {
          flush();
          walk(node as Element, depth + 1);
        }
      }
      flush();
    };
    walk(root, 0);
    return lines;
  }, [source, html] as const);
}

test('the served page paints the agreement without any script', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 740 } });
  const page = await context.newPage();
  await page.goto('/');
  for (const part of ['order', 'privacy', 'service', 'authorization']) {
    await expect(page.locator(`${HOLDER} [data-part="${part}"]`)).toHaveCount(1);
  }
  await expect(page.locator(`${HOLDER} h1`)).toContainText('中国移动广东公司产品协议');
  await expect(page.locator(`${HOLDER} [data-part="order"] h2`)).toBeVisible();
  await expect(page.locator(`${HOLDER} [data-part="service"]`)).toContainText('违约金');
  // Chinese, the blanks empty lines, the contents closed on a phone, the form's place waiting.
  await expect(page.locator(`${HOLDER} .agreement`)).toHaveAttribute('data-mode', 'zh-CN');
  await expect(page.locator(`${HOLDER} .cell[lang="en"]`)).toHaveCount(0);
  await expect(page.locator(`${HOLDER} .blank[data-field="contract_no"]`).first()).toHaveClass(/empty/);
  await expect(page.locator(`${HOLDER} .toc details`)).not.toHaveAttribute('open', /.*/);
  await expect(page.locator(`${HOLDER} [data-deferred="waiting"]`)).toHaveCount(1);
  await context.close();
});

test('the app renders the same markup as the page served', async ({ page }) => {
  const served = await (await page.request.get('/')).text();
  expect(served).toContain('<div id="qianyue-prerendered">');
  const app = new AgreementPage(page);
  const errors = await app.openAgreement();
  const live = await shape(page, 'live');
  const built = await shape(page, 'served', served);
  expect(live.length).toBeGreaterThan(500);
  expect(live).toEqual(built);
  expect(errors).toEqual([]);
});

test('taking over keeps what the reader sees, where they scrolled and what they selected', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  // The wasm is held back until the reader has scrolled and selected in the served page.
  let release!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  await page.route('**/*.wasm', async (route) => { await released; await route.continue(); });
  await page.goto('/');
  await expect(page.locator(`${HOLDER} [data-part="service"]`)).toHaveCount(1);
  const selected = await page.evaluate((holder) => {
    const cell = document.querySelector(`${holder} [data-part="service"] .row--para .cell`)!;
    cell.scrollIntoView({ block: 'center' });
    const text = cell.firstChild!;
    const range = document.createRange();
    range.setStart(text, 2);
    range.setEnd(text, 12);
    getSelection()!.removeAllRanges();
    getSelection()!.addRange(range);
    return { text: getSelection()!.toString(), y: window.scrollY };
  }, HOLDER);
  expect(selected.text).toHaveLength(10);
  expect(selected.y).toBeGreaterThan(2000);
  const before = await page.screenshot();

  release();
  await appLive(page);
  const after = await page.evaluate(() => {
    const selection = getSelection()!;
    const anchor = selection.anchorNode;
    return {
      text: selection.toString(),
      y: window.scrollY,
      inApp: !!anchor && !!document.querySelector('#qianyue-app main.app')?.contains(anchor),
    };
  });
  expect(after).toEqual({ text: selected.text, y: selected.y, inApp: true });
  // Nothing moved: the viewport shows the same pixels (no value of the empty form is on it).
  expect((await page.screenshot()).equals(before)).toBe(true);
});

test('a prefill that lengthens the page above keeps the row on screen in its place', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  let release!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  await page.route('**/*.wasm', async (route) => { await released; await route.continue(); });
  // The seed's product lines are not in the served page (its form is empty): part A grows.
  await page.goto(`/#prefill=${encodeURIComponent(JSON.stringify(seedForm()))}`);
  const row = '[data-part="service"] [data-block="a3"]';
  const before = await page.evaluate(([holder, row]) => {
    const el = document.querySelector(`${holder} ${row}`)!;
    el.scrollIntoView({ block: 'start' });
    window.scrollBy(0, -40);
    return { top: el.getBoundingClientRect().top, y: window.scrollY };
  }, [HOLDER, row] as const);
  release();
  await appLive(page);
  const after = await page.evaluate((row) => ({
    top: document.querySelector(row)!.getBoundingClientRect().top,
    y: window.scrollY,
  }), row);
  expect(Math.abs(after.top - before.top)).toBeLessThanOrEqual(1);
  expect(after.y, 'the page above grew').toBeGreaterThan(before.y);
});

test('a tap on "填写并签署" before the app runs is carried out once it does', async ({ page }) => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  await page.route('**/*.wasm', async (route) => { await released; await route.continue(); });
  await page.goto(`/#prefill=${encodeURIComponent(JSON.stringify(seedForm()))}`);
  await page.locator(`${HOLDER} .to-signing`).click();
  // The address keeps its prefill: the tap did not jump by fragment.
  expect(new URL(page.url()).hash).toContain('prefill=');
  release();
  await appLive(page);
  await expect(page.locator('[name="customer.cert_number"]')).toBeVisible();
  await expect(page.locator('form.signing input, form.signing select').first()).toBeFocused();
  await expect(page.locator('.agreement [data-field="contract_no"]').first()).toHaveText('75523040460309832023040617');
});

test('the frame and the staff pages show no prerendered agreement', async ({ page }) => {
  for (const path of ['/?embed=iframe', '/staff']) {
    await page.goto(path);
    await expect(page.locator(HOLDER)).toHaveCount(0);
  }
});
