// Page objects for the engine journeys, the same for Chromium, Firefox and WebKitGTK: they speak
// of fields, previews and hooks by their public names (contract.md §3), as tests/e2e/pages.ts
// does for Playwright. Elements are found by script inside a scope (the document, or the open
// shadow root of a `<qianyue-consent>`), which every engine's WebDriver supports alike.
import assert from 'node:assert/strict';
import { Origin } from 'selenium-webdriver';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries `check` (which throws or returns false while not yet) until it passes or times out. */
export async function eventually(check, { timeout = 15_000, message = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const r = await check();
      if (r !== false) return r;
      last = new Error(`${message}: not yet`);
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`${message} (after ${timeout} ms): ${last?.message ?? last}`);
    await sleep(100);
  }
}

let visits = 0;

/** The part of the page the page object looks in: the document or a shadow root. */
const SCOPE = `const host = arguments[0]; const scope = host ? document.querySelector(host).shadowRoot : document;`;

export class AgreementPage {
  /** `host`: the selector of a `<qianyue-consent>` whose shadow root holds the journey. */
  constructor(driver, baseUrl, host = null) {
    this.driver = driver;
    this.baseUrl = baseUrl;
    this.host = host;
  }

  /** Runs `body` (which sees `scope`) in the page; `args` follow as arguments[1…]. */
  script(body, ...args) {
    return this.driver.executeScript(`${SCOPE}\n${body}`, this.host, ...args);
  }

  /** The first element `selector` matches in the scope (a WebElement), or null. */
  find(selector) {
    return this.script('return scope && scope.querySelector(arguments[1]);', selector);
  }

  async must(selector, timeout) {
    return eventually(async () => (await this.find(selector)) ?? false, { timeout, message: `${selector} present` });
  }

  /** Opens the app (optionally prefilled, contract.md §1) and brings in the form. */
  async open(prefill) {
    await this.openAgreement(prefill);
    await this.reachForm();
  }

  async openAgreement(prefill) {
    const hash = prefill ? `#prefill=${encodeURIComponent(JSON.stringify(prefill))}` : '';
    // A query of its own for each visit: a URL that differs from the page's only in its
    // fragment would not load the page again.
    visits += 1;
    await this.driver.get(`${this.baseUrl}/?visit=${visits}${hash}`);
    await this.must('[data-part="order"]', 30_000);
    // The page rendered at build time paints first; nothing in it acts until the app has
    // taken it over (src/takeover.js).
    await eventually(async () => !(await this.driver.executeScript('return !!document.getElementById("qianyue-prerendered");')),
      { timeout: 30_000, message: 'the app taking over the first screen' });
    await this.recordConsole();
  }

  /**
   * Records the page's console lines in `window.consoleLines` (WebDriver gives no console in
   * Firefox and WebKit): the app says there which path it took where an engine lacks a feature.
   */
  async recordConsole() {
    await this.driver.executeScript(`
      if (window.consoleLines) return;
      window.consoleLines = [];
      for (const level of ['log', 'info', 'warn', 'error']) {
        const original = console[level].bind(console);
        console[level] = (...a) => { window.consoleLines.push(level + ': ' + a.join(' ')); original(...a); };
      }
      addEventListener('error', (e) => window.consoleLines.push('pageerror: ' + e.message));
      addEventListener('unhandledrejection', (e) => window.consoleLines.push('rejection: ' + e.reason));`);
  }

  async consoleLines() {
    return (await this.driver.executeScript('return window.consoleLines || [];')) ?? [];
  }

  /** Scrolls to the first deferred part still waiting (or to `present`) until `arrived` is there. */
  async scrollUntil(present, arrived) {
    await eventually(async () => {
      await this.script(`const el = scope.querySelector('[data-deferred="waiting"], ${present}');
        if (el) el.scrollIntoView({ block: 'center' });`);
      await sleep(150);
      return (await this.find(arrived)) !== null;
    }, { timeout: 30_000, message: `${arrived} brought in by scrolling` });
  }

  /** Scrolls down to the form as a reader does (it comes as its place nears the viewport). */
  async reachForm() {
    await this.scrollUntil('form.signing', '[name="customer.cert_number"]');
  }

  /** Brings in the signing step (it comes after the form, as the reader nears it). */
  async reachSigningStep() {
    await this.scrollUntil('#sign-and-send', '#sign-and-send');
  }

  field(path) {
    return this.must(`[name="${path}"]`);
  }

  async attribute(selector, name) {
    return this.script('const el = scope.querySelector(arguments[1]); return el && el.getAttribute(arguments[2]);', selector, name);
  }

  async text(selector) {
    return this.script('const el = scope.querySelector(arguments[1]); return el ? el.textContent : null;', selector);
  }

  async value(path) {
    return this.script('const el = scope.querySelector(arguments[1]); return el && el.value;', `[name="${path}"]`);
  }

  /** Types `value` into the field named `path` (replacing what is there), then leaves it. */
  async fill(path, value) {
    const el = await this.field(path);
    // Emptied as a reader selecting all and deleting would (an input event), then typed.
    await this.driver.executeScript(`const el = arguments[0]; el.scrollIntoView({block: 'center'}); el.focus();
      el.value = ''; el.dispatchEvent(new Event('input', {bubbles: true}));`, el);
    await el.sendKeys(value);
    await this.driver.executeScript('arguments[0].blur();', el);
  }

  /** Clicks what `selector` matches, scrolled into the middle of the viewport first. */
  async click(selector) {
    // Found again if the element was replaced between finding and clicking (a re-render).
    await eventually(async () => {
      const el = await this.must(selector);
      await this.driver.executeScript('arguments[0].scrollIntoView({block: "center"});', el);
      await el.click();
    }, { message: `click ${selector}` });
  }

  /**
   * Chooses a language and waits until the switch says so: a click that lands before the app
   * listens (a busy engine still starting it) is made again, as a reader would tap again.
   */
  async chooseLocale(hook) {
    const selector = `[data-locale="${hook}"]`;
    await eventually(async () => {
      await this.click(selector);
      const pressed = () => this.attribute(selector, 'aria-pressed').then((v) => v === 'true');
      return eventually(pressed, { timeout: 3_000, message: `${selector} pressed` }).then(() => true, () => false);
    }, { timeout: 30_000, message: `the locale ${hook} chosen` });
  }

  /** Ticks the four consents. */
  async giveConsents() {
    await this.reachSigningStep();
    for (const id of ['service_agreement', 'privacy_policy', 'authorization_letter', 'sensitive_personal_info']) {
      const selector = `[name="consent.${id}"]`;
      if (!(await this.script('return scope.querySelector(arguments[1]).checked;', selector))) await this.click(selector);
      await eventually(() => this.script('return scope.querySelector(arguments[1]).checked;', selector),
        { message: `${id} ticked` });
    }
  }

  /**
   * Draws a signature on the pad with W3C pointer actions (a mouse): two strokes across the pad,
   * offsets from the pad's centre.
   */
  async drawSignature() {
    await this.reachSigningStep();
    const pad = await this.must('canvas.signature-pad');
    await this.driver.executeScript('arguments[0].scrollIntoView({block: "center"});', pad);
    const rect = await this.driver.executeScript('const r = arguments[0].getBoundingClientRect(); return {w: r.width, h: r.height};', pad);
    const at = (fx, fy) => ({ origin: pad, x: Math.round((fx - 0.5) * rect.w), y: Math.round((fy - 0.5) * rect.h) });
    const stroke = async (points) => {
      let actions = this.driver.actions({ async: true }).move({ ...at(...points[0]), duration: 0 }).press();
      for (let i = 1; i < points.length; i++) {
        // Four moves per segment, as a hand gives them (drivers differ in the moves they
        // interpolate within one action's duration, so none is left to them).
        const [[x0, y0], [x1, y1]] = [points[i - 1], points[i]];
        for (let k = 1; k <= 4; k++) {
          actions = actions.move({ ...at(x0 + ((x1 - x0) * k) / 4, y0 + ((y1 - y0) * k) / 4), duration: 10 });
        }
      }
      await actions.release().perform();
    };
    await stroke([[0.1, 0.6], [0.2, 0.3], [0.3, 0.7], [0.4, 0.35], [0.5, 0.65]]);
    await stroke([[0.55, 0.4], [0.7, 0.42], [0.65, 0.7], [0.85, 0.5]]);
  }

  /** Signs by typing the name instead of drawing. */
  async typeSignature(name) {
    await this.reachSigningStep();
    await this.click('#f-signature-mode-typed');
    const el = await this.field('signature.typed');
    await el.sendKeys(name);
  }

  async signAndSend() {
    await this.click('#sign-and-send');
  }

  /** Waits for the receipt screen (`[data-receipt="accepted"]`); its fields by name. */
  async receipt() {
    await this.must('[data-receipt="accepted"]', 30_000);
    return this.script(`const out = {};
      for (const dd of scope.querySelectorAll('[data-receipt="accepted"] [data-receipt-field]')) {
        out[dd.getAttribute('data-receipt-field')] = dd.textContent;
      }
      return out;`);
  }

  /** The message element a control's aria-describedby names: its text. */
  async messageOf(path) {
    const id = await this.attribute(`[name="${path}"]`, 'aria-describedby');
    assert.ok(id, `${path} has aria-describedby`);
    return this.text(`[id="${id}"]`);
  }

  async expectAttribute(selector, name, value, message) {
    await eventually(async () => {
      const got = await this.attribute(selector, name);
      assert.equal(got, value);
    }, { message: message ?? `${selector} ${name}=${value}` });
  }

  async expectText(selector, includes) {
    await eventually(async () => {
      const got = await this.text(selector);
      assert.ok(got?.includes(includes), `${selector} says "${got}", not containing "${includes}"`);
    }, { message: `${selector} contains "${includes}"` });
  }
}

/** The installed, offline-capable app (docs/offline.md): its service worker and caches. */
export class OfflineApp {
  constructor(driver) {
    this.driver = driver;
  }

  /** Waits until a service worker controls the page and has precached this build. */
  async waitForServiceWorker() {
    await eventually(() => this.driver.executeAsyncScript(`const done = arguments[arguments.length - 1];
      (async () => {
        const registration = await navigator.serviceWorker.getRegistration();
        const active = registration && registration.active;
        if (!active || active.state !== 'activated' || !navigator.serviceWorker.controller) return false;
        const names = await caches.keys();
        return names.some((n) => n.startsWith('qianyue-shell-'));
      })().then(done, (e) => done('error: ' + e));`).then((r) => r === true),
    { timeout: 60_000, message: 'a service worker controls the page' });
  }
}

/** A portal page with `<qianyue-consent>` elements, and the events it heard (`window.events`). */
export class EmbedHost {
  constructor(driver) {
    this.driver = driver;
  }

  /** The journey inside element `id` (its shadow root), as an AgreementPage. */
  element(id) {
    return new AgreementPage(this.driver, '', `qianyue-consent#${id}`);
  }

  async events(type, target) {
    const all = (await this.driver.executeScript('return window.events || [];')) ?? [];
    return all.filter((e) => (!type || e.type === type) && (!target || e.target === target));
  }

  async waitForEvent(type, target, accept = () => true) {
    return eventually(async () => (await this.events(type, target)).filter(accept).at(-1) ?? false,
      { timeout: 30_000, message: `${type} from #${target}` });
  }

  /** How the element's shadow root is styled: constructed sheets adopted, or a `<style>`. */
  async styling(id) {
    return this.driver.executeScript(`const root = document.getElementById(arguments[0]).shadowRoot;
      return { adopted: (root.adoptedStyleSheets || []).length, styles: root.querySelectorAll('style').length };`, id);
  }
}

export { Origin };
