// Page objects: tests speak of fields and previews by their public names (contract.md §3).
import { expect, type Locator, type Page } from '@playwright/test';

export class AgreementPage {
  constructor(readonly page: Page) {}

  async open() {
    const errors: string[] = [];
    this.page.on('pageerror', (e) => errors.push(String(e)));
    this.page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await this.page.goto('/');
    await expect(this.field('customer.cert_number')).toBeVisible();
    return errors;
  }

  field(path: string): Locator {
    return this.page.locator(`[name="${path}"]`);
  }

  /** The message element a control's aria-describedby names. */
  async messageOf(path: string): Promise<Locator> {
    const id = await this.field(path).getAttribute('aria-describedby');
    expect(id, `${path} has aria-describedby`).toBeTruthy();
    return this.page.locator(`[id="${id}"]`);
  }

  async fill(path: string, value: string) {
    await this.field(path).fill(value);
    await this.field(path).blur();
  }

  async chooseLocale(hook: 'zh-CN' | 'en' | 'both') {
    await this.page.locator(`[data-locale="${hook}"]`).click();
  }
}
