// Embedding (docs/embedding.md) with two origins on loopback: the app where QIANYUE_BASE_URL
// serves it (127.0.0.1:<A>), and portal pages served by this spec on localhost:<B>, the origin
// on the frame's allow-list. The same pages at 127.0.0.1:<B> are a third origin, not on it.
//
// Against a static server the spec plays the deployment: it answers /embed-config.json (the
// allow-list: localhost:<B> only) and the consent POSTs itself. Against the receiver, set
// QIANYUE_PORTAL_PORT=<B> and start the receiver with QIANYUE_FRAME_ANCESTORS="'self'
// http://localhost:<B>": its own allow-list, CORS and receipts are then used.
import { test, expect, type BrowserContext, type Route } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmbedHost, receiverKeys, seedForm, signedReceipt } from './pages';

const APP = new URL(process.env.QIANYUE_BASE_URL ?? 'http://127.0.0.1:8080').origin;
const PORTAL_PORT = Number(process.env.QIANYUE_PORTAL_PORT ?? 0);
/** Whether the server under test is a deployment that lists the portal itself. */
const DEPLOYED = PORTAL_PORT > 0;
const EVENTS = ['qianyue-ready', 'qianyue-change', 'qianyue-submitted', 'qianyue-error'];

// Two different prefills: instance a gets the seed, instance b another company.
const formA = seedForm();
const formB = {
  ...seedForm(true),
  contract_no: '75523040460309832023040618',
  customer: { ...seedForm(true).customer, group_name: '广州示例通信设备有限公司' },
};

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/'/g, '&#39;');

/** Records Qianyue's DOM events as the host page hears them (on `document`). */
const recordEvents = `
  window.events = [];
  for (const type of ${JSON.stringify(EVENTS)}) {
    document.addEventListener(type, (e) => window.events.push({
      type, target: e.target.id, detail: e.detail, bubbles: e.bubbles, composed: e.composed,
    }));
  }`;

const PAGES: Record<string, string> = {
  // Two elements: a by attributes, b by the `prefill` property set before the element is defined.
  '/elements.html': `<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Portal</title><link rel="icon" href="data:,"></head>
<body>
  <p class="own"><label for="own">Portal's own field</label> <input id="own" name="own"></p>
  <div style="width: 960px">
    <qianyue-consent id="a" locale="en" agreement="cmgd-cancellation" agreement-version="v2"
      readonly="contract_no" prefill='${attr(JSON.stringify(formA))}'></qianyue-consent>
    <qianyue-consent id="b"></qianyue-consent>
  </div>
  <script type="module">
    ${recordEvents}
    document.getElementById('b').prefill = ${JSON.stringify(formB)};
    await import('${APP}/embed.js');
  </script>
</body></html>`,
  // Elements the host gets wrong: a prefill that is not a form, an agreement version not offered.
  '/wrong.html': `<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Portal</title><link rel="icon" href="data:,"></head>
<body>
  <qianyue-consent id="bad-prefill" prefill='{"customer": 42}'></qianyue-consent>
  <qianyue-consent id="bad-version" agreement="cmgd-cancellation" agreement-version="v0"></qianyue-consent>
  <script type="module">
    ${recordEvents}
    await import('${APP}/embed.js');
  </script>
</body></html>`,
  // A frame; the page records the frame's messages and sizes it by qianyue-resize.
  '/frame.html': `<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Portal</title><link rel="icon" href="data:,"></head>
<body style="margin: 0">
  <iframe id="consent-frame" title="Qianyue" src="${APP}/?embed=iframe&amp;locale=en"
    style="display: block; width: 900px; height: 150px; border: 0"></iframe>
  <script type="module">
    window.messages = [];
    const frame = document.getElementById('consent-frame');
    addEventListener('message', (e) => {
      if (e.source !== frame.contentWindow) return;
      window.messages.push({ origin: e.origin, type: e.data?.type, detail: e.data?.detail });
      if (e.data?.type === 'qianyue-resize') frame.style.height = e.data.detail.height + 'px';
    });
  </script>
</body></html>`,
};

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8',
};

let server: Server;
let HOST = '';
let STRANGER = '';

test.beforeAll(async () => {
  // The portal pages, and the demo portal (demo/) as the repository has it.
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    let body: string | undefined = PAGES[path];
    if (body === undefined && /^\/demo\/[\w-]+\.(html|js|css)$/.test(path)) {
      try { body = readFileSync(join('demo', path.slice('/demo/'.length)), 'utf8'); } catch { /* 404 */ }
    }
    if (body === undefined) { res.writeHead(404).end('not found'); return; }
    res.writeHead(200, { 'Content-Type': TYPES[path.split('.').pop()!] }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(PORTAL_PORT, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  HOST = `http://localhost:${port}`;
  STRANGER = `http://127.0.0.1:${port}`;
});

test.afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** The deployment's allow-list, as the receiver serves it: only the portal HOST. */
async function allowOnlyHost(context: BrowserContext) {
  if (DEPLOYED) return;
  await context.route(`${APP}/embed-config.json`, (route) =>
    route.fulfill({ json: { allowed_origins: [HOST] } }));
}

/**
 * The receiver's side of sign-and-send: the POSTs and the answers the page got (`answers`);
 * without a deployment, answered here with a receipt-shaped JSON (CORS for the element mode).
 */
async function receiver(context: BrowserContext) {
  const posts: string[] = [];
  const answers: unknown[] = [];
  context.on('response', async (response) => {
    if (response.url() === `${APP}/api/consents` && response.request().method() === 'POST') {
      answers.push(await response.json());
    }
  });
  const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type' };
  context.on('request', (request) => {
    if (request.url() === `${APP}/api/consents` && request.method() === 'POST') posts.push(request.postData() ?? '');
  });
  if (DEPLOYED) return { posts, answers };
  await context.route(`${APP}/api/consents`, async (route: Route) => {
    if (route.request().method() === 'OPTIONS') {
      await route.fulfill({ status: 204, headers: { ...cors, 'access-control-allow-methods': 'POST' } });
      return;
    }
    // A receipt for this consent, signed like the receiver's (the app verifies it).
    await route.fulfill({ status: 201, json: signedReceipt(route.request().postData() ?? ''), headers: cors });
  });
  await context.route(`${APP}/api/keys`, (route) => route.fulfill({ json: receiverKeys(), headers: cors }));
  return { posts, answers };
}

test.describe('the <qianyue-consent> element', () => {
  test('prefill appears, and two instances keep separate values and states', async ({ page }) => {
    const host = new EmbedHost(page);
    // embed.js learns the app's files from the small list, not from the page with the agreement.
    const fetched: string[] = [];
    page.on('request', (r) => { if (r.url().startsWith(APP)) fetched.push(new URL(r.url()).pathname); });
    const errors = await host.open(`${HOST}/elements.html`);
    await expect(host.elementField('a', 'contract_no')).toHaveValue(formA.contract_no);
    expect(fetched).toContain('/embed-files.html');
    expect(fetched).not.toContain('/index.html');
    expect(fetched).not.toContain('/');
    await expect(host.elementField('a', 'customer.group_name')).toHaveValue(formA.customer.group_name);
    await expect(host.elementField('b', 'contract_no')).toHaveValue(formB.contract_no);
    await expect(host.elementField('b', 'customer.group_name')).toHaveValue(formB.customer.group_name);
    // a made contract_no read-only; b did not.
    await expect(host.elementField('a', 'contract_no')).toHaveAttribute('readonly', '');
    await expect(host.elementField('b', 'contract_no')).not.toHaveAttribute('readonly', '');

    await host.elementField('a', 'contact.name').fill('李雷');
    await host.elementField('b', 'contact.name').fill('韩梅梅');
    await expect(host.elementField('a', 'contact.name')).toHaveValue('李雷');
    await expect(host.elementField('b', 'contact.name')).toHaveValue('韩梅梅');

    // A wrong value in b is b's problem only.
    await host.elementField('b', 'contact.mobile').fill('1380013800');
    await host.elementField('b', 'contact.mobile').blur();
    await expect(host.elementField('b', 'contact.mobile')).toHaveAttribute('aria-invalid', 'true');
    await expect(host.elementField('a', 'contact.mobile')).toHaveAttribute('aria-invalid', 'false');

    // Each language switch is its own; the portal's <html lang> is not ours to change.
    await host.element('b').locator('[data-locale="en"]').click();
    await expect(host.element('b').locator('.qy-root')).toHaveAttribute('lang', 'en');
    await expect(host.element('a').locator('[data-locale="en"]')).toHaveAttribute('aria-pressed', 'true');
    await host.element('a').locator('[data-locale="zh-CN"]').click();
    await expect(host.element('a').locator('.qy-root')).toHaveAttribute('lang', 'zh-CN');
    await expect(host.element('b').locator('.qy-root')).toHaveAttribute('lang', 'en');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en-GB');

    // Nothing of ours leaked into the portal's storage (no drafts when embedded).
    await page.waitForTimeout(600); // a negative check: past the draft's pause, nothing is saved
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);
    expect(errors).toEqual([]);
  });

  test('events reach the portal with their details, through the shadow boundary', async ({ page, context }) => {
    const { posts, answers } = await receiver(context);
    const host = new EmbedHost(page);
    await host.open(`${HOST}/elements.html`);

    for (const id of ['a', 'b']) {
      const ready = await host.waitForEvent('qianyue-ready', id);
      expect(ready.detail).toEqual({ agreement: { id: 'cmgd-cancellation', version: 'v2' } });
      expect(ready.bubbles && ready.composed).toBe(true);
      // ready comes first.
      expect((await host.events(undefined, id))[0].type).toBe('qianyue-ready');
    }
    // The seed is valid; the consents and the signature are still to give.
    const first = await host.waitForEvent('qianyue-change', 'a');
    expect(first.detail).toEqual({ valid: true, sections_complete: 6, sections_total: 8 });

    await host.elementField('a', 'contact.mobile').fill('1380013800');
    await host.elementField('a', 'contact.mobile').blur();
    await host.waitForEvent('qianyue-change', 'a', (e) => e.detail.valid === false);
    expect((await host.events('qianyue-change', 'a')).at(-1)!.detail)
      .toEqual({ valid: false, sections_complete: 5, sections_total: 8 });
    await host.elementField('a', 'contact.mobile').fill('13800138000');
    await host.elementField('a', 'contact.mobile').blur();
    await host.waitForEvent('qianyue-change', 'a', (e) => e.detail.valid && e.detail.sections_complete === 6);

    await host.signAndSend(host.element('a'), formA.signing.representative);
    const submitted = await host.waitForEvent('qianyue-submitted', 'a');
    await expect.poll(() => answers.length).toBe(1);
    expect(submitted.detail).toEqual({ receipt: answers[0] });
    expect(submitted.bubbles && submitted.composed).toBe(true);
    await expect(host.element('a').locator('[data-receipt="accepted"]')).toBeVisible();
    // The receipt page links to the signer's copy on the app's receiver, not the portal's
    // origin; no print button inside the portal's page (it would print the portal).
    const id = answers[0].receipt.consent_id;
    await expect(host.element('a').locator('[data-action="download-evidence"]')).toHaveAttribute(
      'href', `${APP}/api/consents/${id}/evidence.pdf?sha256=${answers[0].receipt.payload_sha256}`);
    await expect(host.element('a').locator('[data-action="print"]')).toHaveCount(0);
    expect(posts).toHaveLength(1);
    const change = (await host.events('qianyue-change', 'a')).at(-1)!;
    expect(change.detail.sections_complete).toBe(8);
    // b heard nothing of a's journey.
    expect(await host.events('qianyue-submitted', 'b')).toEqual([]);
  });

  test('a host that gets it wrong hears qianyue-error', async ({ page }) => {
    const host = new EmbedHost(page);
    await host.open(`${HOST}/wrong.html`);
    const prefill = await host.waitForEvent('qianyue-error', 'bad-prefill');
    expect(prefill.detail.code).toBe('embed.prefill_invalid');
    expect(prefill.detail.message_en).toContain('prefill');
    // It still works, from a blank form.
    await expect(host.elementField('bad-prefill', 'contract_no')).toHaveValue('');
    const version = await host.waitForEvent('qianyue-error', 'bad-version');
    expect(version.detail.code).toBe('embed.agreement_unknown');
    await expect(host.element('bad-version').getByRole('alert')).toContainText('v0');
    await expect(host.elementField('bad-version', 'contract_no')).toHaveCount(0);
  });

  test("the portal's stylesheet does not reach inside; the theme properties do", async ({ page }) => {
    const host = new EmbedHost(page);
    await host.open(`${HOST}/elements.html`);
    await expect(host.elementField('a', 'contract_no')).toBeVisible();
    const props = ['font-family', 'font-size', 'font-weight', 'color', 'letter-spacing', 'line-height',
      'text-transform', 'box-sizing', 'display', 'border-top-width', 'border-top-style',
      'border-top-color', 'border-top-left-radius', 'padding-top', 'padding-left', 'margin-top',
      'background-color', 'width', 'height'];
    const selectors = ['[name="contract_no"]', '[name="customer.group_name"]', 'label',
      '.form-section > h2', '[data-locale="en"]', '#sign-and-send', 'main'];
    const snapshot = async () => {
      const out: Record<string, Record<string, string>[]> = {};
      for (const s of selectors) out[s] = (await host.computed('a', s, props)).slice(0, 3);
      return out;
    };
    const before = await snapshot();
    const portalInput = () => page.locator('#own').evaluate((n) => getComputedStyle(n).borderTopWidth);
    expect(await portalInput()).not.toBe('7px');

    await page.addStyleTag({ content: `
      html { font-size: 9px; }
      * { font-family: serif !important; color: rgb(255, 0, 0) !important; letter-spacing: 3px;
          line-height: 3; text-transform: uppercase; box-sizing: content-box !important;
          font-weight: 900; }
      label { font-size: 30px; display: block; padding: 12px; background: yellow; }
      input, select, button { border: 7px dotted lime; padding: 20px; font-size: 40px;
          background: black; border-radius: 0; margin: 9px; width: 50px; height: 90px; }
      h2, main { margin: 40px; font-size: 50px; }` });
    // The portal's own input took the portal's rules; ours did not.
    expect(await portalInput()).toBe('7px');
    expect(await snapshot()).toEqual(before);

    // A theme property on one element changes that element only.
    await page.addStyleTag({ content: '#a { --qy-accent: rgb(1, 2, 3); --qy-radius: 11px; }' });
    const section = (id: string) => host.computed(id, '.form-section', ['border-top-color']);
    expect((await section('a'))[0]['border-top-color']).toBe('rgb(1, 2, 3)');
    expect((await section('b'))[0]['border-top-color']).not.toBe('rgb(1, 2, 3)');
    expect((await host.computed('a', '[name="contract_no"]', ['border-top-left-radius']))[0])
      .toEqual({ 'border-top-left-radius': '11px' });
  });

  test('removing an element unmounts it; inserting it again starts afresh', async ({ page }) => {
    const host = new EmbedHost(page);
    const errors = await host.open(`${HOST}/elements.html`);
    await expect(host.elementField('a', 'contract_no')).toBeVisible();
    await host.waitForEvent('qianyue-ready', 'a');
    // Moving an element (removed and inserted in one task) keeps its journey.
    await host.elementField('a', 'contact.name').fill('李雷');
    await page.evaluate(() => document.body.append(document.getElementById('a')!));
    await expect(host.elementField('a', 'contact.name')).toHaveValue('李雷');

    await page.evaluate(() => {
      const a = document.getElementById('a')!;
      (window as any).detachedRoot = a.shadowRoot!.querySelector('.qy-root')!;
      a.remove();
      (window as any).detached = a;
    });
    // Unmounted once it stays out of the document.
    await expect.poll(() => page.evaluate(() => (window as any).detachedRoot.childElementCount)).toBe(0);
    const readies = (await host.events('qianyue-ready', 'a')).length;
    await page.evaluate(() => document.body.append((window as any).detached));
    await expect(host.elementField('a', 'contract_no')).toHaveValue(formA.contract_no);
    await expect(host.elementField('a', 'contact.name')).toHaveValue(formA.contact.name);
    await expect.poll(async () => (await host.events('qianyue-ready', 'a')).length).toBe(readies + 1);
    // b never noticed.
    await expect(host.elementField('b', 'contract_no')).toHaveValue(formB.contract_no);
    expect(errors).toEqual([]);
  });
});

test.describe('the frame mode', () => {
  test('prefill by message, events by message, height reported', async ({ page, context }) => {
    await allowOnlyHost(context);
    const host = new EmbedHost(page);
    const errors = await host.open(`${HOST}/frame.html`);
    await expect.poll(async () => (await host.messages('qianyue-ready')).length).toBe(1);
    const [ready] = await host.messages('qianyue-ready');
    expect(ready).toEqual({
      origin: APP, type: 'qianyue-ready',
      detail: { agreement: { id: 'cmgd-cancellation', version: 'v2' } },
    });
    expect((await host.messages())[0].type).not.toBe('qianyue-change');

    await host.post('qianyue-prefill', { form: formA, readonly: ['contract_no'] }, APP);
    await expect(host.frameField('contract_no')).toHaveValue(formA.contract_no);
    await expect(host.frameField('contract_no')).toHaveAttribute('readonly', '');
    await expect(host.frameField('customer.group_name')).toHaveValue(formA.customer.group_name);
    await expect.poll(async () => (await host.messages('qianyue-change')).at(-1)?.detail)
      .toEqual({ valid: true, sections_complete: 6, sections_total: 8 });
    // Restarting with a prefill does not announce ready again (a host prefilling on ready
    // cannot loop).
    expect(await host.messages('qianyue-ready')).toHaveLength(1);

    // The frame is as tall as its content: the portal's page scrolls, the frame does not.
    await expect.poll(async () => {
      const heights = await host.messages('qianyue-resize');
      const reported = heights.at(-1)?.detail.height ?? 0;
      const actual = await page.locator('#consent-frame').evaluate((f) => f.getBoundingClientRect().height);
      return reported > 1000 && Math.abs(actual - reported) < 1;
    }).toBe(true);
    const inner = page.frames().find((f) => f.url().startsWith(`${APP}/`))!;
    expect(await inner.evaluate(() => document.documentElement.scrollHeight - innerHeight)).toBeLessThanOrEqual(1);

    await host.post('qianyue-locale', { locale: 'zh-CN' }, APP);
    await expect(host.frame().locator('html')).toHaveAttribute('lang', 'zh-CN');
    await host.post('qianyue-theme', { '--qy-accent': 'rgb(4, 5, 6)', '--qy-font-size': '20px' }, APP);
    await expect.poll(() => inner.evaluate(() =>
      getComputedStyle(document.querySelector('.form-section')!).borderTopColor)).toBe('rgb(4, 5, 6)');
    expect(await inner.evaluate(() =>
      getComputedStyle(document.querySelector('[name="contract_no"]')!).fontSize)).toBe('20px');
    expect(errors).toEqual([]);
  });

  test('a message from an origin not on the allow-list is delivered and ignored', async ({ page, context }) => {
    // A deployment's frame-ancestors (the same list) keeps that origin from framing the app at
    // all: the next test.
    test.skip(DEPLOYED, 'the receiver refuses to be framed by an unlisted origin');
    await allowOnlyHost(context);
    const warnings: string[] = [];
    page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
    const host = new EmbedHost(page);
    // The same portal page, from 127.0.0.1:<B>: an origin the deployment did not list.
    await host.open(`${STRANGER}/frame.html`);
    await expect(host.frameField('contract_no')).toBeVisible();
    const inner = page.frames().find((f) => f.url().startsWith(`${APP}/`))!;
    // Wait until the frame has read its allow-list (it answers a listed parent with ready).
    await expect.poll(() => inner.evaluate(async () => (await fetch('/embed-config.json')).ok)).toBe(true);
    await page.waitForTimeout(300); // nothing to await: the frame tells an unlisted parent nothing
    // A listener of the test's own inside the frame proves the message arrives.
    const delivered = inner.evaluate(() => new Promise<string>((resolve) => {
      addEventListener('message', (e) => resolve(`${e.origin} ${e.data?.type}`), { once: true });
    }));
    await host.post('qianyue-prefill', { form: formA }, APP);
    expect(await delivered).toBe(`${STRANGER} qianyue-prefill`);
    await page.waitForTimeout(300); // a negative check: the message is not acted on
    await expect(host.frameField('contract_no')).toHaveValue('');
    await expect.poll(() => warnings.some((w) => w.includes(`from ${STRANGER}`))).toBe(true);
    // And the frame told this parent nothing: it is not on the list.
    expect(await host.messages()).toEqual([]);
  });

  test('an origin not on the allow-list cannot frame the deployed app', async ({ page }) => {
    test.skip(!DEPLOYED, 'a static server sends no frame-ancestors');
    const host = new EmbedHost(page);
    await host.open(`${STRANGER}/frame.html`);
    await page.waitForTimeout(1500); // a negative check: the app never comes up in the frame
    await expect(host.frameField('contract_no')).toHaveCount(0);
    expect(await host.messages()).toEqual([]);
  });

  test('a completed journey sends the completion message exactly once', async ({ page, context }) => {
    await allowOnlyHost(context);
    const { posts, answers } = await receiver(context);
    const host = new EmbedHost(page);
    const errors = await host.open(`${HOST}/frame.html`);
    await expect.poll(async () => (await host.messages('qianyue-ready')).length).toBe(1);
    await host.post('qianyue-prefill', { form: formA }, APP);
    await expect(host.frameField('contract_no')).toHaveValue(formA.contract_no);

    const frame = host.frame();
    await host.signAndSend(frame, formA.signing.representative);
    // Pressing again while sending changes nothing.
    await frame.locator('#sign-and-send').click({ timeout: 1000 }).catch(() => {});
    await expect(frame.locator('[data-receipt="accepted"]')).toBeVisible();
    // The frame is a page of its own: it prints.
    await expect(frame.locator('[data-action="print"]')).toBeVisible();
    await page.waitForTimeout(500); // a negative check: no second completion message follows
    const done = await host.messages('qianyue-submitted');
    await expect.poll(() => answers.length).toBe(1);
    expect(done).toEqual([{ origin: APP, type: 'qianyue-submitted', detail: { receipt: answers[0] } }]);
    expect(posts).toHaveLength(1);
    expect(errors).toEqual([]);
  });
});

test('the demo portal embeds both modes', async ({ page, context }) => {
  await allowOnlyHost(context);
  const host = new EmbedHost(page);
  const errors = await host.open(`${HOST}/demo/portal.html?app=${encodeURIComponent(APP)}`);
  await expect(host.elementField('consent-element', 'contract_no')).toHaveValue(formA.contract_no);
  await expect(host.frameField('contract_no')).toHaveValue(formA.contract_no);
  await expect(page.locator('#log [data-source="element"][data-type="qianyue-ready"]')).toHaveCount(1);
  await expect(page.locator('#log [data-source="frame"][data-type="qianyue-ready"]')).toHaveCount(1);
  // The portal's theme reaches both.
  const accent = (n: Element) => getComputedStyle(n).borderTopColor;
  await expect.poll(() => host.element('consent-element').locator('.form-section').first().evaluate(accent))
    .toBe('rgb(0, 70, 127)');
  await expect.poll(() => host.frame().locator('.form-section').first().evaluate(accent))
    .toBe('rgb(0, 70, 127)');
  expect(errors).toEqual([]);
});
