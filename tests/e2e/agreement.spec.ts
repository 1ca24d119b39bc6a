// The reading view in the release build: the four parts in both languages with the seed's
// values in their blanks, the three modes at 1280 and 375 px (screenshots in
// tests/e2e/artifacts/, looked at by a person), no horizontal overflow, the table of contents
// and the print copy.
import { test, expect } from '@playwright/test';
import { AgreementPage, seedForm, todayInChina } from './pages';

const PARTS = ['order', 'privacy', 'service', 'authorization'] as const;
const MODES = ['zh-CN', 'en', 'both'] as const;

test('all four parts are present in both languages, with the seed values in the order', async ({ page }) => {
  const app = new AgreementPage(page);
  const errors = await app.open(seedForm());
  await app.chooseLocale('both');
  for (const part of PARTS) {
    await expect(app.part(part)).toHaveCount(1);
    await expect(app.part(part).locator('[lang="zh-CN"]').first()).toBeVisible();
    await expect(app.part(part).locator('[lang="en"]').first()).toBeVisible();
  }

  const order = app.part('order');
  await expect(order).toContainText('合同编号：75523040460309832023040617');
  await expect(order).toContainText('集团名称：深圳特发东智科技有限公司');
  await expect(order).toContainText('91440300758613572G');
  await expect(order).toContainText('互联网专线【30221115150】-预约销户-业务信息');
  await expect(order).toContainText('移动云【50255013641】-预约销户-业务信息');
  // Dates and enumerated values in each language.
  // The signing date is the day of signing in China Standard Time, filled in by the app.
  const [y, m, d] = todayInChina().split('-');
  const monthEn = new Date(Date.UTC(+y, +m - 1, +d)).toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' });
  await expect(app.blanks('signing.date')).toHaveText([`${y}年${m}月${d}日`, `${+d} ${monthEn} ${y}`]);
  await expect(app.blanks('orders.0.reason')).toHaveText([
    '客户倒闭或搬迁',
    'customer closed down or relocated',
  ]);
  await expect(app.blanks('agent.valid_to')).toHaveText(['2099年12月31日', '31 December 2099']);
  // Party B's system signature is issued by the carrier: a blank here.
  await expect(app.blanks('party_b.signature').first()).toHaveText('');
  await expect(order).not.toContainText('{');

  // The translation notice, and the binding Chinese first in each row.
  await expect(app.clause('order', 'notice')).toContainText('the Chinese text prevails');
  const cells = app.clause('service', 'a2.17').locator(':scope > .cell');
  await expect(cells).toHaveCount(2);
  await expect(cells.nth(0)).toHaveAttribute('lang', 'zh-CN');
  await expect(cells.nth(1)).toHaveAttribute('lang', 'en');
  expect(errors).toEqual([]);
});

test('a value typed into the form appears in the agreement text', async ({ page }) => {
  const app = new AgreementPage(page);
  await app.open(seedForm());
  await app.fill('customer.cert_number', '91440300758613572g');
  await expect(app.blanks('customer.cert_number').first()).toHaveText('91440300758613572G');
});

test('ID numbers in the blanks are masked like the form, revealed by its button, whole in print', async ({ page }) => {
  const app = new AgreementPage(page);
  await app.open(seedForm());
  await app.chooseLocale('both');
  const contact = app.blanks('contact.id_number');
  const agent = app.blanks('agent.id_number');
  // On screen: masked as the form's control is once left, in both languages.
  await expect(contact).toHaveCount(2);
  await expect(contact.first()).toHaveText('4403**********1246', { useInnerText: true });
  await expect(app.field('contact.id_number')).toHaveValue('4403**********1246');
  await expect(agent.first()).toHaveText('4403**********5316', { useInnerText: true });
  await expect(app.part('order')).not.toContainText('440307198505201246', { useInnerText: true });
  // The form's "Show number" shows that number whole, in the form and in the blanks alike.
  await page.locator('#f-contact-id_number ~ .reveal').click();
  await expect(app.field('contact.id_number')).toHaveValue('440307198505201246');
  await expect(contact.nth(0)).toHaveText('440307198505201246', { useInnerText: true });
  await expect(contact.nth(1)).toHaveText('440307198505201246', { useInnerText: true });
  await expect(agent.first()).toHaveText('4403**********5316', { useInnerText: true });
  await page.locator('#f-contact-id_number ~ .reveal').click();
  await expect(contact.first()).toHaveText('4403**********1246', { useInnerText: true });
  // The printed copy shows them whole.
  await page.emulateMedia({ media: 'print' });
  await expect(contact.first()).toHaveText('440307198505201246', { useInnerText: true });
  await expect(agent.last()).toHaveText('440305199608185316', { useInnerText: true });
  await page.emulateMedia({ media: 'screen' });
  await expect(agent.last()).toHaveText('4403**********5316', { useInnerText: true });
});

test('one language at a time, and the page language follows', async ({ page }) => {
  const app = new AgreementPage(page);
  await app.open(seedForm());
  await app.chooseLocale('en');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  for (const part of PARTS) {
    await expect(app.part(part).locator('[lang="zh-CN"]')).toHaveCount(0);
  }
  await expect(app.part('service')).toContainText('Article 8 Information security provisions');
  await expect(app.part('service')).not.toContainText(/[\u4e00-\u9fff]/);

  await app.chooseLocale('zh-CN');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  for (const part of PARTS) {
    await expect(app.part(part).locator('[lang="en"]')).toHaveCount(0);
  }
  await expect(app.part('service')).toContainText('第八条 信息安全约定（信息安全责任承诺书）');
});

test.describe('the English on demand', () => {
  // Without the service worker, which would answer the part's fetch from its precache.
  test.use({ serviceWorkers: 'block' });

  test('the English comes with its own part, fetched the first time a reader chooses it; unreachable, the Chinese stays and the consent names only it', async ({ page }) => {
    let reachable = false;
    const english: string[] = [];
    const finished: string[] = [];
    await page.route(/\/split_english-[0-9a-f]+\.wasm$/, (route) => {
      english.push(route.request().url());
      return reachable ? route.continue() : route.abort();
    });
    page.on('requestfinished', (r) => finished.push(new URL(r.url()).pathname));
    const app = new AgreementPage(page);
    const errors = await app.open(seedForm());
    const posted = await app.interceptConsents();
    // The first load and the idle prefetch of the form and the signing step do without it.
    await expect.poll(() => finished.some((f) => /\/split_journey-/.test(f)), { timeout: 15_000 }).toBe(true);
    expect(english).toEqual([]);

    // Offline (the part cannot be fetched): the page is in English, the agreement stays in
    // Chinese, which prevails, and says so.
    await app.chooseLocale('en');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    const status = page.locator('.english-status');
    await expect(status).toHaveAttribute('data-english', 'failed');
    await expect(status).toHaveAttribute('role', 'status');
    await expect(status).toContainText('The English text could not be loaded');
    await expect(app.part('service')).toContainText('第八条 信息安全约定');
    await expect(app.part('service').locator('[lang="en"]')).toHaveCount(0);
    expect(english).toHaveLength(1);

    // Signed now, the consent names the texts shown: the Chinese of each part, not the English.
    await app.reachSigningStep();
    await app.giveConsents();
    await app.drawSignature();
    await app.signAndSendButton().click();
    await expect(app.receipt()).toBeVisible();
    const hashes = JSON.parse(posted[0]).payload.content_hashes;
    expect(hashes.map((h: any) => `${h.part}.${h.lang}`)).toEqual(PARTS.map((p) => `${p}.zh-CN`));

    // Chosen again with the network back, it comes and replaces the Chinese.
    reachable = true;
    await app.chooseLocale('both');
    await expect(app.part('service')).toContainText('Article 8 Information security provisions');
    await expect(status).toHaveCount(0);
    await expect(app.clause('service', 'a2.17').locator(':scope > .cell')).toHaveCount(2);
    expect(english).toHaveLength(2);
    // The chunk loader reports the aborted fetch; nothing else went wrong.
    expect(errors.filter((e) => !/Failed to fetch|Failed to load resource/.test(e))).toEqual([]);
  });
});

test.describe('the Chinese text from the served page', () => {
  // The page is what the test alters: no service worker answering from its precache.
  test.use({ serviceWorkers: 'block' });

  test('the wasm does not carry it; the page does, and the app reads it from there', async ({ page, request }) => {
    const html = await (await request.get('/')).text();
    const wasm = html.match(/<link rel="preload" href="([^"]+\.wasm)"/)![1];
    const module = Buffer.from(await (await request.get(wasm)).body());
    // A line of article 8 of the service agreement, in the page's script element and markup.
    const line = '第八条 信息安全约定';
    expect(module.includes(Buffer.from(line, 'utf8'))).toBe(false);
    expect(html).toContain(`data-qianyue-text="service">`);
    const app = new AgreementPage(page);
    const errors = await app.openAgreement();
    await expect(app.part('service')).toContainText(line);
    expect(errors).toEqual([]);
  });

  test('a page whose text is not the one this version signs for shows none and signs nothing', async ({ page }) => {
    await page.route(/\/(index\.html)?(#.*)?$/, async (route) => {
      const response = await route.fetch();
      const body = (await response.text()).replace(
        /(data-qianyue-text="service">[^]*?)第八条/, '$1第九条');
      await route.fulfill({ response, body });
    });
    const app = new AgreementPage(page);
    const posted = await app.interceptConsents();
    page.on('pageerror', () => {});
    await page.goto('/#prefill=' + encodeURIComponent(JSON.stringify(seedForm())));
    const alert = page.locator('section.agreement [role="alert"]');
    await expect(alert).toContainText('协议文本无法载入');
    await expect(alert).toContainText('service.zh.txt is not the text this version signs for');
    await app.reachForm();
    await app.reachSigningStep();
    await app.giveConsents();
    await app.drawSignature();
    await app.signAndSendButton().click();
    await expect(page.getByText('协议文本未能载入，无法签署。')).toBeVisible();
    expect(posted).toEqual([]);
  });
});

test.describe('the journey\'s files', () => {
  // What the page fetches itself, not the service worker's precache of every file.
  test.use({ serviceWorkers: 'block' });

  test('the journey fetches two wasm files: the main module, and the form with the signing step', async ({ page }) => {
    // scripts/split.mjs merges the two parts and every chunk they load: one response,
    // compressed as one.
    const wasm: string[] = [];
    page.on('requestfinished', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.endsWith('.wasm')) wasm.push(path.replace(/-[0-9a-f]{16}\.wasm$/, '.wasm'));
    });
    const app = new AgreementPage(page);
    const errors = await app.open(seedForm());
    await app.reachSigningStep();
    await expect(app.signAndSendButton()).toBeVisible();
    await expect.poll(() => wasm.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    expect(wasm.filter((p) => !/\/qianyue-[0-9a-f]+_bg\.wasm$/.test(p)))
      .toEqual(['/split_journey.wasm']);
    expect(wasm).toHaveLength(2);
    expect(errors).toEqual([]);
  });
});

test('screenshots at 1280 and 375 px in zh, en and both; nothing overflows', async ({ page }) => {
  const app = new AgreementPage(page);
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    // A fresh load at this width (the same URL again would only be a fragment navigation).
    await page.goto('about:blank');
    await app.open(seedForm());
    // The contents start open on wide screens, closed on phones (the text comes first).
    const details = app.tableOfContents().locator('details');
    if (width > 700) await expect(details).toHaveAttribute('open', '');
    else await expect(details).not.toHaveAttribute('open', /.*/);
    for (const mode of MODES) {
      await app.chooseLocale(mode);
      await expect(page.locator(`[data-locale="${mode}"]`)).toHaveAttribute('aria-pressed', 'true');
      await expect(page.locator('.english-status')).toHaveCount(0);
      const name = `tests/e2e/artifacts/agreement-${mode}-${width}`;
      await page.screenshot({ path: `${name}-top.png` });
      await app.clause('order', 'order.line.heading#0').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${name}-order.png` });
      await app.clause('service', 'a8.2').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${name}-service.png` });
      await page.screenshot({ path: `${name}-full.png`, fullPage: true });
      expect(await app.horizontalOverflow(), `${mode} at ${width} px`).toBeLessThanOrEqual(0);
    }
  }
});

test('the table of contents leads to each article, keeping the prefill', async ({ page }) => {
  const app = new AgreementPage(page);
  await app.open(seedForm());
  const toc = app.tableOfContents();
  await expect(toc).toHaveAttribute('aria-label', '目录');
  for (const part of PARTS) {
    await expect(toc.locator(`[data-toc-part="${part}"]`)).toHaveCount(1);
  }
  const url = page.url();
  await toc.getByRole('link', { name: '第八条 信息安全约定（信息安全责任承诺书）' }).click();
  const target = app.clause('service', 'a8');
  await expect(target).toBeFocused();
  await expect(target).toBeInViewport();
  expect(page.url()).toBe(url);
  // Headings: h2 per part, h3 per article.
  await expect(app.part('service').locator('h2')).toHaveCount(1);
  await expect(app.part('service').locator('h3')).toHaveCount(8);
});

test('print: the agreement with its values, without controls or contents', async ({ page }) => {
  const app = new AgreementPage(page);
  await app.open(seedForm());
  await app.chooseLocale('both');
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.locale-switch')).toBeHidden();
  await expect(app.tableOfContents()).toBeHidden();
  await expect(app.field('customer.cert_number')).toBeHidden();
  for (const part of PARTS) await expect(app.part(part)).toBeVisible();
  await expect(app.blanks('customer.group_name').first()).toHaveText('深圳特发东智科技有限公司');
  const breaks = await app.part('privacy').evaluate((e) => getComputedStyle(e).breakBefore);
  expect(breaks).toBe('page');
  await page.setViewportSize({ width: 794, height: 1123 });
  await page.screenshot({ path: 'tests/e2e/artifacts/agreement-print-both.png', fullPage: true });
  await page.pdf({ path: 'tests/e2e/artifacts/agreement-print-both.pdf', format: 'A4' });
});
