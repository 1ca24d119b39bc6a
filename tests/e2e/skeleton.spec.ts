// The release build loads in Chromium, shows its title in both languages, checks the USCC live
// through the domain crate, and switches language.
import { test, expect } from '@playwright/test';
import { AgreementPage, seedForm } from './pages';

test('loads without errors and titles the agreement in both languages', async ({ page }) => {
  const app = new AgreementPage(page);
  const errors = await app.open();
  await expect(page.locator('h1 [lang="zh-CN"]')).toHaveText('中国移动广东公司产品协议');
  await expect(page.locator('h1 [lang="en"]')).toHaveText('China Mobile Guangdong Product Agreement');
  expect(errors).toEqual([]);
});

test('the USCC is checked when the field is left, in the chosen language', async ({ page }) => {
  const app = new AgreementPage(page);
  await app.open();
  const cert = app.field('customer.cert_number');

  // The seed's code, typed in lower case: valid, shown upper case (domain-spec §3.1).
  await app.fill('customer.cert_number', '91440300758613572g');
  await expect(cert).toHaveAttribute('aria-invalid', 'false');
  await expect(cert).toHaveValue('91440300758613572G');

  // "I" is not in the GB 32100 alphabet.
  await app.fill('customer.cert_number', '9144030075861357IG');
  await expect(cert).toHaveAttribute('aria-invalid', 'true');
  const message = await app.messageOf('customer.cert_number');
  await expect(message).toContainText(/[\u4e00-\u9fff]/);

  await app.chooseLocale('en');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(message).not.toHaveText('');
  await expect(message).not.toContainText(/[\u4e00-\u9fff]/);
});

test('screenshots at 1280 and 375 px render Chinese as glyphs', async ({ page }) => {
  const app = new AgreementPage(page);
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 800 });
    await app.open();
    await page.screenshot({ path: `tests/e2e/artifacts/skeleton-${width}.png`, fullPage: true });
    // Nothing wider than the viewport.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  }
});

test('a prefill in the URL fragment fills the form', async ({ page }) => {
  const app = new AgreementPage(page);
  const errors = await app.open(seedForm());
  await expect(app.field('customer.cert_number')).toHaveValue('91440300758613572G');
  expect(errors).toEqual([]);
});
