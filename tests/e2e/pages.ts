// Page objects: tests speak of fields and previews by their public names (contract.md §3).
import { expect, type FrameLocator, type Locator, type Page } from '@playwright/test';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * The seed's form (personal data synthetic), shared with the Rust tests, as a portal prefills
 * it today: the app fills the signing date with the day of signing (China Standard Time), so
 * the authorisation runs to 2099-12-31 to cover it (the seed's own ends on 2023-12-31).
 */
export const seedForm = (withFees = false) => {
  const form = JSON.parse(
    readFileSync(`crates/domain/tests/fixtures/seed-form${withFees ? '-with-fees' : ''}.json`, 'utf8'),
  );
  form.agent.valid_to = '2099-12-31';
  return form;
};

/** Today's date in China Standard Time, `YYYY-MM-DD`: the signing date the app fills in. */
export const todayInChina = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);

/**
 * Scrolls to the first deferred part still waiting (or to `present`, once it is there) until
 * `arrived` passes: a deferred part comes as its place nears the viewport
 * (src/components/loading.rs), and the one reached may make way for the next.
 */
async function scrollUntil(scope: Page | Locator | FrameLocator, present: string, arrived: () => Promise<void>) {
  await expect(async () => {
    await scope.locator(`[data-deferred="waiting"], ${present}`).first().evaluate((el) => el.scrollIntoView());
    await arrived();
  }).toPass();
}

/**
 * Waits until the app has taken over the page rendered at build time (src/takeover.js): before
 * that, the agreement is on screen but nothing in it acts.
 */
export async function appLive(page: Page) {
  await expect(page.locator('#qianyue-prerendered')).toHaveCount(0, { timeout: 30_000 });
}

export class AgreementPage {
  constructor(readonly page: Page) {}

  /**
   * Opens the app, optionally prefilled with a form in the contract.md §1 shape, and brings in
   * the form (see `reachForm`). Returns the page's errors, collected from then on.
   */
  async open(prefill?: object) {
    const errors = await this.openAgreement(prefill);
    await this.reachForm();
    return errors;
  }

  /** Opens the app and goes no further than its first screen, the agreement. */
  async openAgreement(prefill?: object) {
    const errors: string[] = [];
    this.page.on('pageerror', (e) => errors.push(String(e)));
    this.page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    const hash = prefill ? `#prefill=${encodeURIComponent(JSON.stringify(prefill))}` : '';
    await this.page.goto(`/${hash}`);
    await appLive(this.page);
    await expect(this.part('order')).toBeVisible();
    return errors;
  }

  /**
   * Scrolls down to the form as a reader does: it is not part of the first load and comes as
   * its place nears the viewport (src/components/loading.rs).
   */
  async reachForm() {
    await scrollUntil(this.page, 'form.signing',
      () => expect(this.field('customer.cert_number')).toBeVisible({ timeout: 1000 }));
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

  // The signing journey (docs/signing-journey.md).

  /** A preview figure (contract.md §2–3 `data-preview`). */
  preview(key: string): Locator {
    return this.page.locator(`[data-preview="${key}"]`);
  }

  /** Picks `value` (the document's label) in the select named `path`, then leaves it. */
  async choose(path: string, value: string) {
    await this.field(path).selectOption(value);
    await this.field(path).blur();
  }

  /** The checkbox of a consent (`service_agreement`, `privacy_policy`, …). */
  consent(id: string): Locator {
    return this.page.locator(`[name="consent.${id}"]`);
  }

  /**
   * Brings in the signing step as a reader does: it comes after the form, when the reader works
   * in the form or scrolls near it (src/components/loading.rs).
   */
  async reachSigningStep() {
    await scrollUntil(this.page, '#sign-and-send',
      () => expect(this.signAndSendButton()).toBeAttached({ timeout: 1000 }));
  }

  /** Ticks the four consents. */
  async giveConsents() {
    await this.reachSigningStep();
    for (const id of ['service_agreement', 'privacy_policy', 'authorization_letter', 'sensitive_personal_info']) {
      await this.consent(id).check();
    }
  }

  signaturePad(): Locator {
    return this.page.locator('canvas.signature-pad');
  }

  /** Draws a signature on the pad with pointer (mouse) moves: two strokes across the pad. */
  async drawSignature() {
    await this.reachSigningStep();
    const pad = this.signaturePad();
    await pad.scrollIntoViewIfNeeded();
    const box = (await pad.boundingBox())!;
    const at = (fx: number, fy: number) => [box.x + box.width * fx, box.y + box.height * fy] as const;
    const stroke = async (points: [number, number][]) => {
      await this.page.mouse.move(...at(...points[0]));
      await this.page.mouse.down();
      for (const p of points.slice(1)) await this.page.mouse.move(...at(...p), { steps: 4 });
      await this.page.mouse.up();
    };
    await stroke([[0.1, 0.6], [0.2, 0.3], [0.3, 0.7], [0.4, 0.35], [0.5, 0.65]]);
    await stroke([[0.55, 0.4], [0.7, 0.42], [0.65, 0.7], [0.85, 0.5]]);
  }

  /** Signs by typing the name instead of drawing. */
  async typeSignature(name: string) {
    await this.reachSigningStep();
    await this.page.locator('#f-signature-mode-typed').check();
    await this.field('signature.typed').fill(name);
  }

  signAndSendButton(): Locator {
    return this.page.locator('#sign-and-send');
  }

  errorSummary(): Locator {
    return this.page.locator('#error-summary');
  }

  receipt(): Locator {
    return this.page.locator('[data-receipt="accepted"]');
  }

  /**
   * Answers POSTs to the consent endpoint with `status` and `body` — by default a receipt for
   * the posted consent, signed like the receiver's (`signedReceipt`), with the key at
   * `/api/keys` — and records each request body.
   */
  async interceptConsents(status = 201, body?: object) {
    const posted: string[] = [];
    await this.page.route('**/api/keys', (route) => route.fulfill({ json: receiverKeys() }));
    await this.page.route('**/api/consents', async (route) => {
      const sent = route.request().postData() ?? '';
      posted.push(sent);
      await route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body ?? signedReceipt(sent)) });
    });
    return posted;
  }
}

// A stand-in for the receiver's receipt key (docs/receiver.md): the app accepts a consent as
// delivered only with a receipt that names it and verifies with a key from `/api/keys`.
const receiptKey = generateKeyPairSync('ed25519');
const b64url = (bytes: Buffer) => bytes.toString('base64url');
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();
/** RFC 8785 for JSON with integers only: members sorted by UTF-16 code units, no whitespace. */
const canonical = (v: unknown): string => Array.isArray(v)
  ? `[${v.map(canonical).join(',')}]`
  : v !== null && typeof v === 'object'
    ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as any)[k])}`).join(',')}}`
    : JSON.stringify(v);
const receiptKid = (() => {
  const x = receiptKey.publicKey.export({ format: 'jwk' }).x!;
  return { x, kid: b64url(sha256(canonical({ crv: 'Ed25519', kty: 'OKP', x }))) };
})();

/** `GET /api/keys` of the stand-in receiver. */
export function receiverKeys() {
  return { keys: [{ kty: 'OKP', crv: 'Ed25519', x: receiptKid.x, kid: receiptKid.kid, alg: 'EdDSA', use: 'sig' }] };
}

/** The receipt envelope the receiver answers for a posted consent envelope, signed (Ed25519). */
export function signedReceipt(envelopeJson: string) {
  const payload = JSON.parse(envelopeJson).payload;
  const jwk = payload.public_key;
  const receipt = {
    format: 'qianyue-receipt/1',
    consent_id: payload.idempotency_id,
    payload_sha256: sha256(canonical(payload)).toString('hex'),
    agreement: payload.agreement,
    signed_at: payload.signed_at,
    signer_key: b64url(sha256(canonical({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }))),
    received_at: new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 19) + '+08:00',
    receiver_key: receiptKid.kid,
  };
  const signature = sign(null, Buffer.from(canonical(receipt), 'utf8'), receiptKey.privateKey);
  return { receipt, signature: b64url(signature) };
}

/** What a host page's script records of Qianyue's DOM events (`window.events`). */
export interface HostEvent {
  type: string;
  target: string;
  detail: any;
  bubbles: boolean;
  composed: boolean;
}

/** What a host page's script records of the frame's messages (`window.messages`). */
export interface FrameMessage {
  origin: string;
  type: string;
  detail: any;
}

/**
 * A portal page on another origin that embeds Qianyue (docs/embedding.md): `<qianyue-consent>`
 * elements (locators pierce their open shadow roots) and the frame `#consent-frame`.
 */
export class EmbedHost {
  constructor(readonly page: Page) {}

  /** Opens a host page; console errors and page errors of every frame are collected. */
  async open(url: string) {
    const errors: string[] = [];
    this.page.on('pageerror', (e) => errors.push(String(e)));
    this.page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await this.page.goto(url);
    return errors;
  }

  element(id: string): Locator {
    return this.page.locator(`qianyue-consent#${id}`);
  }

  /** The control named `path` inside element `id`. */
  elementField(id: string, path: string): Locator {
    return this.element(id).locator(`[name="${path}"]`);
  }

  /** The DOM events the host page heard so far. */
  async events(type?: string, target?: string): Promise<HostEvent[]> {
    const all: HostEvent[] = await this.page.evaluate(() => (window as any).events ?? []);
    return all.filter((e) => (!type || e.type === type) && (!target || e.target === target));
  }

  /** Waits until the host page heard `type` from `target`; the last such event. */
  async waitForEvent(type: string, target: string, accept: (e: HostEvent) => boolean = () => true) {
    let found: HostEvent | undefined;
    await expect.poll(async () => {
      found = (await this.events(type, target)).filter(accept).at(-1);
      return Boolean(found);
    }, { message: `${type} from #${target}` }).toBe(true);
    return found!;
  }

  /** The computed values of `properties` for each element `selector` matches in element `id`. */
  async computed(id: string, selector: string, properties: string[]): Promise<Record<string, string>[]> {
    return this.element(id).locator(selector).evaluateAll(
      (nodes, props) => nodes.map((n) => {
        const style = getComputedStyle(n as Element);
        return Object.fromEntries(props.map((p) => [p, style.getPropertyValue(p)]));
      }),
      properties,
    );
  }

  /** The embedded frame's content. */
  frame(): FrameLocator {
    return this.page.frameLocator('#consent-frame');
  }

  frameField(path: string): Locator {
    return this.frame().locator(`[name="${path}"]`);
  }

  /** The messages from the frame the host page received so far. */
  async messages(type?: string): Promise<FrameMessage[]> {
    const all: FrameMessage[] = await this.page.evaluate(() => (window as any).messages ?? []);
    return all.filter((m) => !type || m.type === type);
  }

  /** Posts `{type, detail}` from the host page to the frame, for `targetOrigin`. */
  async post(type: string, detail: unknown, targetOrigin: string) {
    await this.page.evaluate(([type, detail, origin]) => {
      const frame = document.getElementById('consent-frame') as HTMLIFrameElement;
      frame.contentWindow!.postMessage({ type, detail }, origin as string);
    }, [type, detail, targetOrigin] as const);
  }

  /**
   * Gives the four consents, signs by typing `representative`, and presses sign-and-send,
   * inside `scope` (an element's or the frame's content).
   */
  async signAndSend(scope: Locator | FrameLocator, representative: string) {
    // The signing step comes as the reader scrolls near it (AgreementPage.reachSigningStep).
    await scrollUntil(scope, '#sign-and-send',
      () => expect(scope.locator('#sign-and-send')).toBeAttached({ timeout: 1000 }));
    const boxes = scope.locator('input[type="checkbox"][name^="consent."]');
    await expect(boxes).toHaveCount(4);
    for (const box of await boxes.all()) await box.check();
    await scope.locator('#f-signature-mode-typed').check();
    await scope.locator('[name="signature.typed"]').fill(representative);
    await scope.locator('#sign-and-send').click();
  }
}

/** What `OfflineApp.dumpIndexedDb` returns: every record of every object store, raw. */
export interface IdbDump {
  db: string;
  store: string;
  keys: unknown[];
  values: unknown[];
}

/**
 * The installed, offline-capable app (docs/offline.md): its service worker, the outbox panel
 * (`[data-outbox]`), the "new version" prompt, and the raw IndexedDB contents.
 */
export class OfflineApp {
  constructor(readonly page: Page) {}

  /** Waits until a service worker controls the page and has precached this build. */
  async waitForServiceWorker() {
    await expect.poll(() => this.page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      const active = registration?.active;
      if (!active || active.state !== 'activated' || !navigator.serviceWorker.controller) return false;
      const names = await caches.keys();
      return names.some((n) => n.startsWith('qianyue-shell-'));
    }), { timeout: 60_000, message: 'a service worker controls the page' }).toBe(true);
  }

  /** The build id of the worker that controls the page (sw.js `GET_BUILD`). */
  async serviceWorkerBuild(): Promise<string> {
    return this.page.evaluate(() => new Promise<string>((resolve, reject) => {
      const worker = navigator.serviceWorker.controller;
      if (!worker) return reject(new Error('no controlling service worker'));
      const channel = new MessageChannel();
      channel.port1.onmessage = (e) => resolve(e.data.build);
      worker.postMessage({ type: 'GET_BUILD' }, [channel.port2]);
    }));
  }

  outbox(): Locator {
    return this.page.locator('[data-outbox]');
  }

  /** The items in the outbox panel in state `state` (`queued`, `sending`, `attention`). */
  items(state?: 'queued' | 'sending' | 'attention'): Locator {
    const filter = state ? `[data-state="${state}"]` : '';
    return this.page.locator(`[data-outbox-item]${filter}`);
  }

  /** The ids of the items waiting (queued or being sent). */
  async waitingIds(): Promise<string[]> {
    return this.page.locator('[data-outbox-item]:not([data-state="attention"])').evaluateAll(
      (nodes) => nodes.map((n) => n.getAttribute('data-outbox-item') ?? ''),
    );
  }

  async expectQueued(n: number) {
    if (n === 0) {
      await expect(this.page.locator('[data-outbox-item]:not([data-state="attention"])')).toHaveCount(0);
    } else {
      await expect(this.outbox()).toHaveAttribute('data-outbox-queued', String(n));
    }
  }

  /** The "needs attention" list. */
  attentionList(): Locator {
    return this.page.locator('[data-outbox-attention-list]');
  }

  updatePrompt(): Locator {
    return this.page.locator('[data-update="waiting"]');
  }

  async reloadToUpdate() {
    await Promise.all([
      this.page.waitForEvent('load'),
      this.page.locator('#reload-to-update').click(),
    ]);
  }

  /** Asks the browser to look for a new sw.js now (what the app does on `online`). */
  async checkForUpdate() {
    await this.page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      await registration?.update();
    });
  }

  /**
   * Every record of every object store of every IndexedDB database of the origin, as raw as
   * the browser gives it: byte arrays as their bytes (read as Latin-1 and as UTF-8), keys as
   * their properties.
   */
  async dumpIndexedDb(): Promise<IdbDump[]> {
    return this.page.evaluate(async () => {
      const done = <T>(r: IDBRequest<T>) => new Promise<T>((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const raw = (v: unknown): unknown => {
        if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
          const bytes = v instanceof ArrayBuffer
            ? new Uint8Array(v)
            : new Uint8Array((v as ArrayBufferView).buffer, (v as ArrayBufferView).byteOffset, (v as ArrayBufferView).byteLength);
          return {
            bytes: bytes.length,
            latin1: Array.from(bytes, (b) => String.fromCharCode(b)).join(''),
            utf8: new TextDecoder('utf-8', { fatal: false }).decode(bytes),
          };
        }
        if (v instanceof CryptoKey) {
          return { cryptoKey: v.type, extractable: v.extractable, algorithm: v.algorithm, usages: v.usages };
        }
        if (Array.isArray(v)) return v.map(raw);
        if (v && typeof v === 'object') {
          return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, raw(x)]));
        }
        return v;
      };
      const out: { db: string; store: string; keys: unknown[]; values: unknown[] }[] = [];
      for (const info of await indexedDB.databases()) {
        const db = await done(indexedDB.open(info.name!));
        for (const store of Array.from(db.objectStoreNames)) {
          const s = db.transaction(store, 'readonly').objectStore(store);
          const [keys, values] = await Promise.all([done(s.getAllKeys()), done(s.getAll())]);
          out.push({ db: db.name, store, keys: keys.map(raw), values: values.map(raw) });
        }
        db.close();
      }
      return out;
    });
  }
}
