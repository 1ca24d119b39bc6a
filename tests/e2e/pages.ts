// Page objects: tests speak of fields and previews by their public names (contract.md §3).
import { expect, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';

/** The seed's form (personal data synthetic), shared with the Rust tests. */
export const seedForm = (withFees = false) =>
  JSON.parse(readFileSync(`crates/domain/tests/fixtures/seed-form${withFees ? '-with-fees' : ''}.json`, 'utf8'));

export class AgreementPage {
  constructor(readonly page: Page) {}

  /** Opens the app, optionally prefilled with a form in the contract.md §1 shape. */
  async open(prefill?: object) {
    const errors: string[] = [];
    this.page.on('pageerror', (e) => errors.push(String(e)));
    this.page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    const hash = prefill ? `#prefill=${encodeURIComponent(JSON.stringify(prefill))}` : '';
    await this.page.goto(`/${hash}`);
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

  /** A rendered part of the agreement (contract.md §3 `data-part`). */
  part(hook: 'order' | 'privacy' | 'service' | 'authorization'): Locator {
    return this.page.locator(`[data-part="${hook}"]`);
  }

  /** The row of one clause (block id) of a part: its zh and en cells side by side. */
  clause(hook: 'order' | 'privacy' | 'service' | 'authorization', blockId: string): Locator {
    return this.part(hook).locator(`[data-block="${blockId}"]`);
  }

  /** The blanks of the agreement text that show the form's value at `path`. */
  blanks(path: string): Locator {
    return this.page.locator(`.agreement [data-field="${path}"]`);
  }

  /** The agreement's table of contents. */
  tableOfContents(): Locator {
    return this.page.locator('.agreement nav.toc');
  }

  /** How far the page is wider than the viewport, in CSS pixels (≤ 0: no horizontal scroll). */
  async horizontalOverflow(): Promise<number> {
    return this.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  }
}
