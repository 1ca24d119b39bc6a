// The signing journey in Debian's Chromium: the seed's journey signed and sent (the POST is
// intercepted and its envelope written to artifacts/browser-vector.json, which
// crates/domain/tests/browser_vector.rs verifies), a bad-input journey, keyboard-only
// completion, axe-core in both languages, the stored key's non-extractability, the server's
// field errors mapped back, the draft across a reload, and screenshots at 1280 and 375 px.
import { test, expect, type Page } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { AgreementPage, seedForm } from './pages';

// A service worker would answer the page's requests before page.route sees them.
test.use({ serviceWorkers: 'block' });

const ARTIFACTS = 'tests/e2e/artifacts';
const seedFees = seedForm(true);

/** The seed's fee inputs and late-payment calculator, typed in (seed-form-with-fees.json). */
async function typeFees(app: AgreementPage) {
  for (const [i, order] of (seedFees.orders as any[]).entries()) {
    for (const field of ['monthly_fee', 'term_end', 'cancel_date', 'investment']) {
      await app.fill(`orders.${i}.${field}`, order[field]);
    }
  }
  for (const field of ['arrears', 'due_date', 'as_of']) {
    await app.fill(`late.${field}`, seedFees.late[field]);
  }
}

test('the seed journey: fees, previews, consents, drawn signature, signed and sent', async ({ page }) => {
  const app = new AgreementPage(page);
  const errors = await app.open(seedForm());
  const posted = await app.interceptConsents();

  await typeFees(app);
  // Money typed as "1200.00"; the figures of seed-form-with-fees (clauses_worked_examples.rs).
  await expect(app.preview('orders.0.unexecuted_months')).toHaveAttribute('data-value', '11');
  await expect(app.preview('orders.0.penalty')).toHaveAttribute('data-value', '960000');
  await expect(app.preview('orders.0.penalty')).toHaveText('¥9,600.00');
  await expect(app.preview('orders.0.current_term_end')).toHaveText('2024年3月31日');
  await expect(app.preview('total.penalty')).toHaveAttribute('data-value', '1140000');
  await expect(app.preview('late.days_overdue')).toHaveAttribute('data-value', '35');
  await app.chooseLocale('en');
  await expect(app.preview('orders.0.current_term_end')).toHaveText('31 March 2024');
  await app.chooseLocale('zh-CN');

  // Sign and send without consents or signature: refused, nothing sent.
  await app.signAndSendButton().click();
  await expect(app.errorSummary()).toBeVisible();
  await expect(app.errorSummary().locator('li')).toHaveCount(5);
  expect(posted).toHaveLength(0);

  await app.giveConsents();
  // Privacy policy 四(二)(三): the reply-by date shown beside the privacy consent (read before
  // sending: the receipt takes the form's place).
  const replyBy = await app.preview('privacy.reply_by').getAttribute('data-value');
  await app.drawSignature();
  await expect(app.errorSummary()).toHaveCount(0);
  await app.signAndSendButton().click();
  await expect(app.receipt()).toBeVisible();
  expect(posted).toHaveLength(1);
  await expect(app.receipt()).toContainText(JSON.parse(posted[0]).payload.idempotency_id);

  // The envelope: a canonical payload with the form, the figures shown and a drawn signature.
  const envelope = JSON.parse(posted[0]);
  const payload = envelope.payload;
  expect(Object.keys(envelope).sort()).toEqual(['payload', 'signature']);
  expect(envelope.signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
  expect(payload.form.customer.cert_number).toBe('91440300758613572G');
  expect(payload.form.orders[0].monthly_fee).toBe('1200.00');
  expect(payload.previews['orders.0.penalty']).toBe(960000);
  // The reply-by date shown is signed, with the holiday calendar of each year it reached
  // (qianyue-consent/1.1, docs/payload.md).
  expect(replyBy).toMatch(/^\d{4}-\d\d-\d\d$/);
  expect(payload.previews['privacy.reply_by']).toBe(replyBy);
  expect(payload.format).toBe('qianyue-consent/1.1');
  expect(Object.keys(payload.calendars['privacy.reply_by']).length).toBeGreaterThan(0);
  expect(payload.signature_image.kind).toBe('strokes');
  expect(payload.consents.map((c: any) => c.id)).toEqual([
    'service_agreement', 'privacy_policy', 'authorization_letter', 'sensitive_personal_info',
  ]);
  expect(payload.signed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
  expect(payload.public_key.kty).toBe('EC');
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(`${ARTIFACTS}/browser-vector.json`, posted[0]);

  // The signing key cannot be exported, and is the one the payload names.
  const key = await page.evaluate(async () => {
    const db: IDBDatabase = await new Promise((resolve, reject) => {
      const r = indexedDB.open('qianyue');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const pair: any = await new Promise((resolve, reject) => {
      const r = db.transaction('keys', 'readonly').objectStore('keys').get('signing-key-p256');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    db.close();
    let exportError = '';
    try {
      await crypto.subtle.exportKey('jwk', pair.privateKey);
    } catch (e) {
      exportError = (e as Error).name;
    }
    let pkcs8Error = '';
    try {
      await crypto.subtle.exportKey('pkcs8', pair.privateKey);
    } catch (e) {
      pkcs8Error = (e as Error).name;
    }
    const publicJwk: any = await crypto.subtle.exportKey('jwk', pair.publicKey);
    return {
      extractable: pair.privateKey.extractable,
      exportError,
      pkcs8Error,
      x: publicJwk.x,
      y: publicJwk.y,
    };
  });
  expect(key.extractable).toBe(false);
  expect(key.exportError).toBe('InvalidAccessError');
  expect(key.pkcs8Error).toBe('InvalidAccessError');
  expect([key.x, key.y]).toEqual([payload.public_key.x, payload.public_key.y]);
  expect(errors).toEqual([]);
});

test('bad input: each wrong value is marked at the fields involved', async ({ page }) => {
  const app = new AgreementPage(page);
  await app.open(seedForm());
  await app.chooseLocale('en');

  // A resident ID with a wrong check digit.
  await app.fill('contact.id_number', '440307198505201247');
  await expect(app.field('contact.id_number')).toHaveAttribute('aria-invalid', 'true');
  await expect(await app.messageOf('contact.id_number')).toContainText('Check digit does not match');
  // Masked once left, even when wrong.
  await expect(app.field('contact.id_number')).toHaveValue('4403**********1247');

  // A USCC with I, which GB 32100 does not use.
  await app.fill('customer.cert_number', '9144030075861357IG');
  await expect(app.field('customer.cert_number')).toHaveAttribute('aria-invalid', 'true');
  await expect(await app.messageOf('customer.cert_number')).not.toHaveText('');

  // The signing date is the day of signing, filled in by the app and not editable (its value
  // is checked in the agreement's blank, agreement.spec.ts).
  await expect(app.field('signing.date')).toHaveAttribute('readonly', '');

  // An agent under 18 on the signing date (born 2015-01-01).
  await app.fill('agent.id_number', '440305201501011236');
  await expect(app.field('agent.id_number')).toHaveAttribute('aria-invalid', 'true');
  await expect(await app.messageOf('agent.id_number')).toContainText('under 18');
  await expect(app.field('signing.date')).toHaveAttribute('aria-invalid', 'true');

  // Back to an adult agent; an authorisation period that ended before the day of signing.
  await app.fill('agent.id_number', '440305199608185316');
  await app.fill('agent.valid_to', '2023-12-31');
  for (const path of ['signing.date', 'agent.valid_from', 'agent.valid_to']) {
    await expect(app.field(path), path).toHaveAttribute('aria-invalid', 'true');
    await expect(await app.messageOf(path)).toContainText('outside the authorisation period');
  }
  await app.fill('agent.valid_to', '2099-12-31');
  await expect(app.field('agent.valid_to')).toHaveAttribute('aria-invalid', 'false');

  // A signer who is not the agent: both names are marked.
  await app.fill('signing.representative', '张晓梅');
  for (const path of ['signing.representative', 'agent.name']) {
    await expect(app.field(path), path).toHaveAttribute('aria-invalid', 'true');
    await expect(await app.messageOf(path)).toContainText('must be the agent');
  }

  // A submit attempt lists every problem and moves focus to the first.
  await app.signAndSendButton().click();
  const summary = app.errorSummary();
  await expect(summary).toBeVisible();
  await expect(summary).toContainText('Check digit does not match');
  await expect(summary).toContainText('must be the agent');
  await expect(app.field('customer.cert_number')).toBeFocused();
  // A summary link moves focus to its field.
  await summary.locator('a', { hasText: 'must be the agent' }).first().click();
  await expect(app.field('agent.name')).toBeFocused();
});

/** Presses Tab until `selector` has focus; fails if it is not reached. */
async function tabTo(page: Page, selector: string, limit = 400) {
  for (let i = 0; i < limit; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${selector} not reached by Tab`);
}

test('keyboard only: fees, consents, typed signature, sign and send', async ({ page }) => {
  const app = new AgreementPage(page);
  await app.open(seedForm());
  const posted = await app.interceptConsents();

  await tabTo(page, '[name="orders.0.monthly_fee"]');
  await page.keyboard.type('1200');
  await tabTo(page, '[name="orders.0.cancel_date"]');
  await page.keyboard.type('05152023');
  for (const id of ['service_agreement', 'privacy_policy', 'authorization_letter', 'sensitive_personal_info']) {
    await tabTo(page, `[name="consent.${id}"]`);
    await page.keyboard.press('Space');
  }
  await tabTo(page, '#f-signature');
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('#f-signature-mode-typed')).toBeChecked();
  await tabTo(page, '[name="signature.typed"]');
  await page.keyboard.type('刘志强');
  await tabTo(page, '#sign-and-send');
  await page.keyboard.press('Enter');
  await expect(app.receipt()).toBeVisible();
  const payload = JSON.parse(posted[0]).payload;
  expect(payload.form.orders[0].monthly_fee).toBe('1200.00');
  expect(payload.form.orders[0].cancel_date).toBe('2023-05-15');
  expect(payload.signature_image).toEqual({ kind: 'typed', text: '刘志强' });
});

test('axe-core finds no violations on the form, in Chinese and in English', async ({ page }) => {
  const app = new AgreementPage(page);
  await app.open(seedForm(true));
  // Some errors shown, so that messages and the summary are checked too.
  await app.fill('contact.mobile', '1380013800');
  await app.signAndSendButton().click();
  await expect(app.errorSummary()).toBeVisible();
  await page.addScriptTag({ path: 'node_modules/axe-core/axe.min.js' });
  for (const locale of ['zh-CN', 'en'] as const) {
    await app.chooseLocale(locale);
    const violations = await page.evaluate(async () => {
      const result = await (window as any).axe.run(document.querySelector('.signing-panel'), {
        resultTypes: ['violations'],
      });
      return result.violations.map((v: any) => ({
        id: v.id,
        impact: v.impact,
        nodes: v.nodes.slice(0, 3).map((n: any) => n.target.join(' ')),
      }));
    });
    expect(violations, `axe in ${locale}`).toEqual([]);
  }
});

test('the server\'s field errors are shown at their fields, and nothing typed is lost', async ({ page }) => {
  const app = new AgreementPage(page);
  await app.open(seedForm(true));
  await app.interceptConsents(422, {
    code: 'form.invalid',
    message_zh: '表单未通过校验',
    message_en: 'The form does not pass validation',
    fields: [{
      path: 'customer.group_code',
      code: 'group_code.unknown',
      message_zh: '集团编码在系统中不存在',
      message_en: 'No group has this code',
    }],
  });
  await app.giveConsents();
  await app.typeSignature('刘志强');
  await app.signAndSendButton().click();
  await expect(app.field('customer.group_code')).toHaveAttribute('aria-invalid', 'true');
  await expect(await app.messageOf('customer.group_code')).toHaveText('集团编码在系统中不存在');
  await expect(page.locator('#send-status')).toHaveText('表单未通过校验');
  await expect(app.field('customer.group_code')).toBeFocused();
  await expect(app.field('customer.group_name')).toHaveValue('深圳特发东智科技有限公司');
  await expect(app.consent('privacy_policy')).toBeChecked();
  // Editing the field clears the server's message.
  await app.fill('customer.group_code', '2002692005');
  await expect(app.field('customer.group_code')).toHaveAttribute('aria-invalid', 'false');
});

test('the typed draft survives a reload; consents and signature do not', async ({ page }) => {
  const app = new AgreementPage(page);
  await app.open(seedForm());
  await app.fill('orders.0.monthly_fee', '1200');
  await app.fill('customer.office_address', '<b>深圳市</b>龙岗区<script>alert(1)</script>');
  await app.giveConsents();
  // The draft is saved once typing pauses (src/draft.rs, key qianyue.draft.v1).
  await expect.poll(() => page.evaluate(() => localStorage.getItem('qianyue.draft.v1') ?? '')).toContain('龙岗区');
  await page.reload();
  // The agreement's blanks show the draft before the form has come.
  await expect(app.blanks('customer.office_address').first()).toHaveText('<b>深圳市</b>龙岗区<script>alert(1)</script>');
  await app.reachForm();
  await expect(app.field('orders.0.monthly_fee')).toHaveValue('1200.00');
  await app.reachSigningStep();
  await expect(app.field('customer.office_address')).toHaveValue('<b>深圳市</b>龙岗区<script>alert(1)</script>');
  await expect(page.locator('.agreement b, .signing-panel b')).toHaveCount(0);
  await expect(app.consent('privacy_policy')).not.toBeChecked();
});

test('screenshots at 1280 and 375 px, without horizontal scrolling', async ({ page }) => {
  const app = new AgreementPage(page);
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await app.open(seedForm(true));
    await app.fill('contact.mobile', '1380013800');
    await app.drawSignature();
    await page.locator('.signing-panel').screenshot({ path: `${ARTIFACTS}/signing-${width}.png` });
    expect(await app.horizontalOverflow()).toBeLessThanOrEqual(0);
  }
});

test('a message coming and going as the reader types does not move the form', async ({ page }) => {
  const app = new AgreementPage(page);
  await app.open(seedForm());
  const cert = app.field('customer.cert_number');
  // Below the field in the same column, and the next section.
  const below = [app.field('customer.employees'), page.locator('.form-section').nth(1)];
  const tops = async () => Promise.all([cert, ...below].map(async (l) => (await l.boundingBox())!.y));
  await app.fill('customer.cert_number', '91440300758613572G');
  await expect(cert).toHaveAttribute('aria-invalid', 'false');
  const before = await tops();
  // The field was left once, so its message follows every keystroke (domain-spec §3.1).
  await cert.fill('91440300758613572H');
  await expect(cert).toHaveAttribute('aria-invalid', 'true');
  await expect(await app.messageOf('customer.cert_number')).not.toHaveText('');
  expect(await tops()).toEqual(before);
  await cert.fill('91440300758613572G');
  await expect(cert).toHaveAttribute('aria-invalid', 'false');
  await expect(await app.messageOf('customer.cert_number')).toHaveText('');
  expect(await tops()).toEqual(before);
});

test('the first load is the agreement; the form and the signing step are fetched in idle time after it, and shown when the reader comes', async ({ page }) => {
  // Every wasm request and finished response, in order.
  const events: string[] = [];
  const wasm = (r: { url(): string }) => new URL(r.url()).pathname;
  page.on('request', (r) => { if (wasm(r).endsWith('.wasm')) events.push(`request ${wasm(r)}`); });
  page.on('requestfinished', (r) => { if (wasm(r).endsWith('.wasm')) events.push(`finished ${wasm(r)}`); });
  const app = new AgreementPage(page);
  const errors = await app.openAgreement();
  await expect(page.locator('[data-deferred="waiting"]')).toBeAttached();
  // Once the first screen is up and the browser idle (src/components/app.rs): the form's and
  // the signing step's code (one file), fetched and compiled but not shown.
  await expect.poll(() => events.some((e) => /^finished .*\/split_journey-/.test(e)), { timeout: 15_000 }).toBe(true);
  const mainDone = events.findIndex((e) => /^finished .*\/qianyue-[0-9a-f]+_bg\.wasm$/.test(e));
  const firstChunk = events.findIndex((e) => e.startsWith('request') && !/_bg\.wasm$/.test(e));
  expect(mainDone, events.join('\n')).toBeGreaterThanOrEqual(0);
  expect(firstChunk, 'no chunk before the first load is done').toBeGreaterThan(mainDone);
  expect(events.filter((e) => /^request .*split_(outbox|embed|request|staff)-/.test(e)), 'only the journey\'s parts').toEqual([]);
  await expect(page.locator('form.signing')).toHaveCount(0);

  const before = events.length;
  await app.reachForm();
  await expect(app.signAndSendButton()).toHaveCount(0);
  await app.field('customer.group_name').focus();
  await expect(app.signAndSendButton()).toBeAttached();
  expect(events.slice(before).filter((e) => e.startsWith('request')), 'nothing fetched again').toEqual([]);
  expect(errors).toEqual([]);
});

test('"Fill in and sign" at the top brings the form and puts the focus in its first field', async ({ page }) => {
  const app = new AgreementPage(page);
  const errors = await app.openAgreement(seedForm());
  const link = page.locator('a.to-signing');
  await expect(link).toHaveText('填写并签署 ↓');
  // From the keyboard: the link comes right after the title, before the language switch.
  await page.keyboard.press('Tab');
  await expect(link).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(app.field('contract_no')).toBeFocused();
  await expect(app.field('contract_no')).toBeInViewport();
  await expect(app.field('contract_no')).toHaveValue(seedForm().contract_no);
  await app.chooseLocale('en');
  await expect(link).toHaveText('Fill in and sign ↓');
  expect(errors).toEqual([]);
});

test('the form\'s file, unreachable, says so and comes on retry; the prefilled values are there and the form works', async ({ page }) => {
  // One file holds the form and the signing step (scripts/split.mjs): without it neither shows.
  let reachable = false;
  await page.route(/\/split_journey-[0-9a-f]+\.wasm$/, (route) => (reachable ? route.continue() : route.abort()));
  const app = new AgreementPage(page);
  await app.openAgreement(seedForm());
  await page.locator('a.to-signing').click();
  const failed = page.locator('[data-deferred="failed"]');
  await expect(failed).toHaveAttribute('role', 'alert');
  await expect(failed).toContainText('这部分页面未能加载');
  await expect(page.locator('form.signing')).toHaveCount(0);
  reachable = true;
  await failed.getByRole('button').click();
  await expect(app.field('contract_no')).toHaveValue(seedForm().contract_no);
  await expect(failed).toHaveCount(0);
  await app.fill('customer.group_name', '深圳特发东智科技有限公司');
  await app.giveConsents();
  await expect(app.consent('privacy_policy')).toBeChecked();
  await expect(app.field('customer.group_name')).toHaveValue('深圳特发东智科技有限公司');
});
