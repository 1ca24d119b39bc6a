// The receipt page (src/components/receipt.rs, issue 18 item 1): after signing, a page a person
// reads — 已签署, what was signed, when, the consent number, the download of the signed copy
// (the receiver's evidence PDF, contract.md §7) and a print button, the technical receipt
// folded away with its `data-receipt-field` hooks (contract.md §3); what printing prints; axe
// in both languages; the outbox's "saved on this device" screen with the same facts, becoming
// the receipt page once delivered. The receiver is stood in for here (`interceptConsents`);
// requests.spec.ts reads the same page from the real receiver.
import { test, expect, type Page } from '@playwright/test';
import { AgreementPage, seedForm } from './pages';

test.use({ serviceWorkers: 'block' });

const ARTIFACTS = 'tests/e2e/artifacts';

/** One fact of the receipt page's summary (`data-receipt-summary`). */
const fact = (page: Page, name: string, screen = 'accepted') =>
  page.locator(`[data-receipt="${screen}"] [data-receipt-summary="${name}"]`);

/** axe-core's violations inside `selector`. */
async function axe(page: Page, selector: string) {
  await page.addScriptTag({ path: 'node_modules/axe-core/axe.min.js' });
  return page.evaluate(async (selector) => {
    const result = await (window as any).axe.run(document.querySelector(selector), { resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n: any) => n.target.join(' ')) }));
  }, selector);
}

/** The seed (with fees) signed with a typed name and sent; the envelope the app POSTed. */
async function signSeed(page: Page): Promise<{ app: AgreementPage; payload: any; errors: string[] }> {
  const app = new AgreementPage(page);
  const errors = await app.open(seedForm(true));
  const posted = await app.interceptConsents();
  await app.giveConsents();
  await app.typeSignature('刘志强');
  await app.signAndSendButton().click();
  await expect(app.receipt()).toBeVisible();
  expect(posted).toHaveLength(1);
  return { app, payload: JSON.parse(posted[0]).payload, errors };
}

test('after signing: 已签署, what was signed, when, the consent number, the PDF link and print; the technical receipt folded away', async ({ page }) => {
  const { app, payload, errors } = await signSeed(page);
  const receipt = app.receipt();
  const id = payload.idempotency_id;

  // The page takes the form's place and the focus (the pressed button is gone).
  await expect(receipt.locator('h2')).toHaveText('已签署');
  await expect(receipt).toBeFocused();
  await expect(page.locator('form.signing')).toHaveCount(0);

  // What, when, which: in words, not field names.
  await expect(fact(page, 'agreement')).toHaveText(`中国移动广东公司产品协议（版本 ${payload.agreement.version}）`);
  await expect(fact(page, 'contract_no')).toHaveText(seedForm(true).contract_no);
  await expect(fact(page, 'company')).toHaveText('深圳特发东智科技有限公司');
  const [date, time] = [payload.signed_at.slice(0, 10).split('-').map(Number), payload.signed_at.slice(11, 16)];
  await expect(fact(page, 'signed_at')).toHaveText(`${date[0]}年${date[1]}月${date[2]}日 ${time}（北京时间）`);
  await expect(fact(page, 'signed_at').locator('time')).toHaveAttribute('datetime', payload.signed_at);
  await expect(fact(page, 'consent_id')).toHaveText(id);
  await expect(receipt.locator('dt', { hasText: '签署编号' })).toBeVisible();

  // The technical receipt: folded away, every hook kept (contract.md §3).
  const technical = receipt.locator('details.receipt-technical');
  await expect(technical).not.toHaveAttribute('open', '');
  const sha = receipt.locator('[data-receipt-field="payload_sha256"]');
  await expect(sha).toBeHidden();
  await expect(sha).toHaveText(/^[0-9a-f]{64}$/);
  for (const name of ['consent_id', 'format', 'payload_sha256', 'received_at', 'receiver_key', 'signature', 'signed_at', 'signer_key']) {
    await expect(receipt.locator(`[data-receipt-field="${name}"]`), name).toHaveCount(1);
  }
  await expect(receipt.locator('[data-receipt-field="consent_id"]')).toHaveText(id);
  await technical.locator('summary').click();
  await expect(sha).toBeVisible();
  const hash = (await sha.textContent())!;

  // The signer's own copy: beside the endpoint, same origin, named by the consent and the
  // payload's hash (contract.md §7).
  const download = receipt.locator('[data-action="download-evidence"]');
  await expect(download).toHaveText('下载签署件（PDF）');
  await expect(download).toHaveAttribute('href', `/api/consents/${id}/evidence.pdf?sha256=${hash}`);
  await expect(download).toHaveAttribute('download', `qianyue-${id}.pdf`);
  const href = new URL((await download.getAttribute('href'))!, page.url());
  expect(href.origin).toBe(new URL(page.url()).origin);
  expect(href.pathname).toMatch(/^\/api\/consents\/[0-9a-f-]{36}\/evidence\.pdf$/);
  expect(href.search).toMatch(/^\?sha256=[0-9a-f]{64}$/);

  // Print: the browser's dialogue, once per press.
  await page.evaluate(() => { (window as any).printed = 0; window.print = () => { (window as any).printed++; }; });
  await receipt.locator('[data-action="print"]').click();
  expect(await page.evaluate(() => (window as any).printed)).toBe(1);

  // In English.
  await app.chooseLocale('en');
  await expect(receipt.locator('h2')).toHaveText('Signed');
  await expect(download).toHaveText('Download the signed copy (PDF)');
  const [d, t] = [new Date(`${payload.signed_at.slice(0, 10)}T00:00:00Z`), payload.signed_at.slice(11, 16)];
  const month = d.toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' });
  await expect(fact(page, 'signed_at')).toHaveText(`${d.getUTCDate()} ${month} ${d.getUTCFullYear()}, ${t} (China Standard Time)`);
  expect(errors).toEqual([]);

  // Following the link saves what the receiver sends under the receiver's name for it (the
  // browser fetches it itself; requests.spec.ts fetches the real one: the static server here
  // has none, last so that its 404 is not taken for the page's error).
  const [saved] = await Promise.all([page.waitForEvent('download'), download.click()]);
  expect(saved.url()).toBe(href.href);
  expect(saved.suggestedFilename()).toBe(`qianyue-${id}.pdf`);
  await saved.cancel();
});

test('printing the receipt page prints the receipt alone, its technical part open', async ({ page }) => {
  const { app } = await signSeed(page);
  await page.emulateMedia({ media: 'print' });
  await expect(app.part('order')).toBeHidden();
  await expect(app.receipt()).toBeVisible();
  await expect(app.receipt().locator('[data-action="print"]')).toBeHidden();
  await expect(app.receipt().locator('[data-action="download-evidence"]')).toBeHidden();
  await expect(app.receipt().locator('[data-receipt-field="payload_sha256"]')).toBeVisible();
  await expect(page.locator('.app-header')).toBeHidden();
  await page.pdf({ path: `${ARTIFACTS}/receipt-print.pdf`, format: 'A4' }).catch(() => {});
  await page.emulateMedia({ media: 'screen' });
  await expect(app.part('order')).toBeVisible();
  await expect(app.receipt().locator('[data-receipt-field="payload_sha256"]')).toBeHidden();
});

test('axe-core finds no violations on the receipt page, in Chinese and in English, folded and open; no horizontal scroll at 375 px', async ({ page }) => {
  const { app } = await signSeed(page);
  for (const open of [false, true]) {
    if (open) await app.receipt().locator('summary').click();
    for (const locale of ['zh-CN', 'en', 'both'] as const) {
      await app.chooseLocale(locale);
      expect(await axe(page, '.signing-panel'), `axe in ${locale}, ${open ? 'open' : 'folded'}`).toEqual([]);
    }
  }
  await page.setViewportSize({ width: 375, height: 900 });
  await app.receipt().scrollIntoViewIfNeeded();
  expect(await app.horizontalOverflow()).toBeLessThanOrEqual(0);
  await app.receipt().screenshot({ path: `${ARTIFACTS}/receipt-375.png` });
});

test('kept on the device while the receiver is out of reach: the same facts, then the receipt page once delivered', async ({ page }) => {
  const app = new AgreementPage(page);
  await app.open(seedForm(true));
  await app.interceptConsents();
  // The receiver cannot be reached: the consent stays in the outbox.
  await page.route('**/api/consents', (route) => route.abort('connectionrefused'));
  await app.giveConsents();
  await app.typeSignature('刘志强');
  await app.signAndSendButton().click();
  const queued = page.locator('[data-receipt="queued"]');
  await expect(queued).toBeVisible();
  await expect(queued.locator('h2')).toContainText('已签署');
  const id = (await queued.getAttribute('data-consent-id'))!;
  await expect(fact(page, 'consent_id', 'queued')).toHaveText(id);
  await expect(queued.locator('[data-receipt-field="consent_id"]')).toHaveText(id);
  await expect(fact(page, 'contract_no', 'queued')).toHaveText(seedForm(true).contract_no);
  await expect(fact(page, 'company', 'queued')).toHaveText('深圳特发东智科技有限公司');
  await expect(fact(page, 'signed_at', 'queued')).toContainText('（北京时间）');
  // Nothing to download before the receiver has it.
  await expect(queued.locator('[data-action="download-evidence"]')).toHaveCount(0);
  expect(await axe(page, '.signing-panel'), 'axe on the queued screen').toEqual([]);

  // The receiver is back: delivered, and the screen becomes the receipt page.
  await page.unroute('**/api/consents');
  const posted = await app.interceptConsents();
  await page.locator('#outbox-send-now').click();
  await expect(app.receipt()).toBeVisible({ timeout: 30_000 });
  await expect(fact(page, 'consent_id')).toHaveText(id);
  await expect(app.receipt().locator('[data-action="download-evidence"]')).toHaveAttribute('href', new RegExp(`^/api/consents/${id}/evidence\\.pdf\\?sha256=[0-9a-f]{64}$`));
  expect(JSON.parse(posted.at(-1)!).payload.idempotency_id).toBe(id);
});
