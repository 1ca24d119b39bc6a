// Signing requests (issue 17, docs/requests.md), end to end against the real receiver in the
// closed mode (no QIANYUE_OPEN_SIGNING), with the development SMS gateway (QIANYUE_SMS=dev: the
// texts at GET /dev/sms) and a back-office API key: the back office creates a request over
// HTTP; the signer opens the link, cannot change a read-only field, reads the code from
// /dev/sms, verifies and signs; the request is `signed`; the link then shows "already signed"
// with the receipt; a webhook listener on loopback receives the request's events, each signed
// (Qianyue-Signature, checked here with node:crypto); a copy of the signer's consent with a
// read-only field edited and signed again is refused by the receiver, naming the field.
// Expired, revoked and unknown links, and a page without a request, each show their page.
//
// The receiver binary comes from QIANYUE_RECEIVER_BIN (`cargo xtask test` sets it), else
// target/{receiver,release,debug}; the app from QIANYUE_DIST, else dist/.
import { test, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, timingSafeEqual, webcrypto } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgreementPage, seedForm } from './pages';

const KEY = 'requests-e2e-back-office-key-0123456789abcdef';
/** QIANYUE_WEBHOOK_SECRET of the receiver: the carrier's side checks the signatures with it. */
const WEBHOOK_SECRET = 'requests-e2e-webhook-secret-0123456789';
/** The signer: the seed's contact (as `cargo xtask serve`'s demo request). */
const SIGNER = { name: '张晓梅', mobile: '13800138000' };
const MASKED = '138****8000';

const receiverBin = process.env.QIANYUE_RECEIVER_BIN
  ?? ['target/receiver/qianyue-receiver', 'target/release/qianyue-receiver', 'target/debug/qianyue-receiver'].find((p) => existsSync(p));
const dist = process.env.QIANYUE_DIST ?? 'dist';

/**
 * A copy of the app with a host page on the receiver's own origin that embeds a request as
 * `<qianyue-consent request>` (the token from the page's fragment; the receiver's CSP allows
 * no inline script, so the page's script is a file beside it).
 */
function distWithHostPage(): string {
  const copy = mkdtempSync(join(tmpdir(), 'qianyue-requests-dist-'));
  cpSync(dist, copy, { recursive: true });
  writeFileSync(join(copy, 'request-host.html'), `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>host</title>
<script type="module" src="/embed.js"></script><script type="module" src="/request-host.js"></script></head>
<body><h1>Portal</h1></body></html>
`);
  writeFileSync(join(copy, 'request-host.js'), `const element = document.createElement('qianyue-consent');
element.id = 'signing';
element.setAttribute('request', location.hash.slice(1));
element.setAttribute('prefill', JSON.stringify({ contract_no: '1' }));
document.body.append(element);
`);
  return copy;
}

/** The real receiver in the closed mode, as a child process. */
class Receiver {
  private constructor(readonly proc: ChildProcess, readonly url: string, readonly dataDir: string, readonly appDir: string) {}

  static async start(): Promise<Receiver> {
    if (!receiverBin || !existsSync(receiverBin)) {
      throw new Error('no receiver binary: set QIANYUE_RECEIVER_BIN or build qianyue-receiver');
    }
    const dataDir = mkdtempSync(join(tmpdir(), 'qianyue-requests-'));
    const appDir = distWithHostPage();
    const env: Record<string, string | undefined> = {
      ...process.env,
      QIANYUE_ADDR: '127.0.0.1:0',
      QIANYUE_DIST: appDir,
      QIANYUE_DATA_DIR: dataDir,
      QIANYUE_API_KEYS: `backoffice=${KEY}`,
      QIANYUE_SMS: 'dev',
      QIANYUE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      DATABASE_URL: '',
    };
    // The closed mode: a consent only for a request (the test command sets the open one).
    delete env.QIANYUE_OPEN_SIGNING;
    const proc = spawn(receiverBin, [], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    proc.stderr!.on('data', (d) => { log += d; });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`receiver did not start in 60 s:\n${out}${log}`)), 60_000);
      proc.stdout!.on('data', (d) => {
        out += d;
        const m = /listening on (http:\/\/[^/\s]+)\//.exec(out);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
      proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`receiver exited (${code}):\n${out}${log}`)); });
    });
    return new Receiver(proc, url, dataDir, appDir);
  }

  async stop() {
    if (this.proc.exitCode === null) {
      const exited = new Promise((resolve) => this.proc.once('exit', resolve));
      this.proc.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dataDir, { recursive: true, force: true });
    rmSync(this.appDir, { recursive: true, force: true });
  }

  /** A back-office call with the API key. */
  async backOffice(method: string, path: string, body?: object): Promise<{ status: number; json: any }> {
    const r = await fetch(`${this.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : null };
  }

  /**
   * `POST /api/requests`: the seed with fees, its contract number, customer and product lines
   * read-only, expiring `seconds` from now. Answers `{id, token, url, …}`.
   */
  async createRequest(seconds = 7 * 86_400, callbackUrl?: string): Promise<{ id: string; token: string; url: string }> {
    const form = seedForm(true);
    const { status, json } = await this.backOffice('POST', '/api/requests', {
      form,
      readonly: ['contract_no', 'customer', 'orders'],
      signer: SIGNER,
      expires_at: inChina(seconds),
      locale: 'zh-CN',
      ...(callbackUrl ? { callback_url: callbackUrl } : {}),
    });
    expect(status, `POST /api/requests: ${JSON.stringify(json)}`).toBe(201);
    return json;
  }

  /** The signer's link as a URL on this receiver. */
  link(created: { url: string }): string {
    return new URL(created.url, this.url).href;
  }

  /** The newest code sent to `mobile`, read from `GET /dev/sms`. */
  async lastCode(mobile: string): Promise<string> {
    let code = '';
    await expect.poll(async () => {
      const texts: { to: string; text: string }[] = await (await fetch(`${this.url}/dev/sms`)).json();
      const mine = texts.filter((t) => t.to === mobile);
      code = /(\d{6})/.exec(mine.at(-1)?.text ?? '')?.[1] ?? '';
      return code;
    }, { message: 'a code in /dev/sms' }).toMatch(/^\d{6}$/);
    return code;
  }
}

/** A webhook as the carrier's listener received it: the raw body and its signature header. */
type Delivery = { body: string; signature: string };

/** The carrier's webhook listener on loopback (contract.md §6): records every delivery, 200. */
async function webhookListener(): Promise<{ url: string; deliveries: Delivery[]; server: Server }> {
  const deliveries: Delivery[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c) => parts.push(c));
    req.on('end', () => {
      deliveries.push({ body: Buffer.concat(parts).toString('utf8'), signature: String(req.headers['qianyue-signature'] ?? '') });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/qianyue/webhook`, deliveries, server };
}

/** Whether `d` is signed as docs/requests.md "Webhooks" says, within 5 minutes of now. */
function signedByReceiver(d: Delivery): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(d.signature);
  if (!m) return false;
  const expected = createHmac('sha256', WEBHOOK_SECRET).update(`${m[1]}.${d.body}`).digest();
  const fresh = Math.abs(Date.now() / 1000 - Number(m[1])) < 300;
  return fresh && timingSafeEqual(expected, Buffer.from(m[2], 'hex'));
}

/** RFC 8785 for what a payload holds (objects, arrays, strings, integers, booleans, null). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * The envelope `posted` with `edit` applied to its payload, signed again with a key of its own
 * (its JWK in the payload): what a signer who hand-edits a consent can send.
 */
async function reSigned(posted: string, edit: (payload: any) => void): Promise<string> {
  const { payload } = JSON.parse(posted);
  edit(payload);
  const pair = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const jwk = await webcrypto.subtle.exportKey('jwk', pair.publicKey);
  payload.public_key = { crv: 'P-256', kty: 'EC', x: jwk.x, y: jwk.y };
  const bytes = Buffer.from(canonical(payload), 'utf8');
  const signature = await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, bytes);
  return `{"payload":${bytes.toString('utf8')},"signature":"${Buffer.from(signature).toString('base64url')}"}`;
}

/** `YYYY-MM-DDTHH:MM:SS+08:00`, `seconds` from now, in China Standard Time. */
function inChina(seconds: number): string {
  return new Date(Date.now() + (seconds + 8 * 3600) * 1000).toISOString().slice(0, 19) + '+08:00';
}

/** The signer's page of a request (data-request-page, components/request/pages.rs). */
const requestPage = (page: Page, status: string) => page.locator(`[data-request-page="${status}"]`);

/**
 * The receipt page's link to the signer's own evidence PDF (contract.md §7): same origin as the
 * page, `/api/consents/<id>/evidence.pdf?sha256=<the receipt's payload_sha256>`.
 */
async function expectEvidenceLink(page: Page, consentId: string) {
  const receipt = page.locator('[data-receipt="accepted"]');
  const link = receipt.locator('[data-action="download-evidence"]');
  const sha = (await receipt.locator('[data-receipt-field="payload_sha256"]').textContent()) ?? '';
  expect(sha).toMatch(/^[0-9a-f]{64}$/);
  await expect(link).toHaveAttribute('href', `/api/consents/${consentId}/evidence.pdf?sha256=${sha}`);
  await expect(link).toHaveAttribute('download', `qianyue-${consentId}.pdf`);
  expect(new URL((await link.getAttribute('href'))!, page.url()).origin).toBe(new URL(page.url()).origin);
}

let receiver: Receiver;
/** The request the first test signed: its link and consent. */
let signed: { link: string; consentId: string } | undefined;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  receiver = await Receiver.start();
});

test.afterAll(async () => {
  await receiver?.stop();
});

test('the signer opens the link, cannot change a read-only field, verifies by SMS code and signs; the link then shows the receipt', async ({ page }) => {
  test.setTimeout(120_000);
  const listener = await webhookListener();
  const created = await receiver.createRequest(7 * 86_400, listener.url);
  const journey = new AgreementPage(page);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  // A fragment's prefill and read-only list neither set nor lock anything on a request's page:
  // the request's values win (docs/decisions.md "Signing requests in the app").
  const forged = seedForm(true);
  forged.customer.group_name = '别的公司有限公司';
  await page.goto(`${receiver.link(created)}#prefill=${encodeURIComponent(JSON.stringify(forged))}&readonly=admin.name`);
  await journey.reachForm();

  // Read-only: locked in the DOM, with the carrier's note; the value is the request's.
  const groupName = journey.field('customer.group_name');
  await expect(groupName).toHaveValue('深圳特发东智科技有限公司');
  await expect(groupName).not.toBeEditable();
  await groupName.focus();
  await page.keyboard.type('改');
  await expect(groupName).toHaveValue('深圳特发东智科技有限公司');
  await expect(journey.field('contract_no')).not.toBeEditable();
  await expect(journey.field('orders.0.monthly_fee')).not.toBeEditable();
  await expect(page.locator('#add-order')).toBeDisabled();
  await expect(page.locator('[data-locked="request"]').first()).toContainText('由中国移动提供；如需更改请联系客户经理');
  // What the request leaves open stays open (and the fragment's `readonly=admin.name` is not used).
  await expect(journey.field('admin.name')).toBeEditable();
  await expect(journey.field('contact.email')).toBeEditable();

  // The identity step: the code goes to the signer's mobile, shown masked.
  await journey.giveConsents();
  const send = page.locator('[data-action="send-code"]');
  await expect(send).toContainText(MASKED);
  await expect(page.locator('#f-signature-mode-typed')).toBeDisabled();
  await send.click();
  // Resend only after the wait, counted down on the button.
  await expect(send).toBeDisabled();
  const code = page.locator('[name="identity.code"]');
  await expect(code).toHaveAttribute('autocomplete', 'one-time-code');
  await expect(code).toHaveAttribute('inputmode', 'numeric');

  // A wrong code is refused at the field, with the tries left.
  const right = await receiver.lastCode(SIGNER.mobile);
  const wrong = right === '000000' ? '111111' : '000000';
  await code.fill(wrong);
  await page.locator('[data-action="verify-code"]').click();
  await expect(code).toHaveAttribute('aria-invalid', 'true');
  await expect(await journey.messageOf('identity.code')).not.toBeEmpty();

  await code.fill(right);
  await page.locator('[data-action="verify-code"]').click();
  await expect(page.locator('#identity[data-identity="verified"]')).toBeVisible();
  await expect(page.locator('#identity')).toContainText(MASKED);

  // A reload keeps the verification (the receiver's record) and the typed values (the draft).
  await journey.fill('contact.email', 'zhang.xiaomei@example.com');
  await page.waitForTimeout(800);
  await page.reload();
  await journey.reachForm();
  await expect(journey.field('contact.email')).toHaveValue('zhang.xiaomei@example.com');
  await journey.giveConsents();
  await expect(page.locator('#identity[data-identity="verified"]')).toBeVisible();

  // The consent the app sends goes through; before it, a copy with a read-only value edited
  // and signed again is refused by the receiver, naming the field.
  let edited: { status: number; json: any } | null = null;
  await page.route('**/api/consents', async (route) => {
    const posted = route.request().postData() ?? '';
    const forgedEnvelope = await reSigned(posted, (p) => { p.form.customer.group_name = '别的公司有限公司'; });
    const r = await fetch(`${receiver.url}/api/consents`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: forgedEnvelope,
    });
    edited = { status: r.status, json: await r.json() };
    await route.continue();
  });
  await journey.typeSignature('刘志强');
  await journey.signAndSendButton().click();
  await expect(journey.receipt()).toBeVisible({ timeout: 30_000 });
  // The receipt page (components/receipt.rs): 已签署, the consent number, the signer's copy.
  await expect(journey.receipt().locator('h2')).toHaveText('已签署');
  expect(edited, 'the edited copy was sent').not.toBeNull();
  expect(edited!.status).toBe(422);
  expect(edited!.json.code).toBe('request.readonly');
  expect(edited!.json.fields.map((f: { path: string }) => f.path)).toEqual(['customer.group_name']);

  const { status, json } = await receiver.backOffice('GET', `/api/requests/${created.id}`);
  expect(status).toBe(200);
  expect(json.status).toBe('signed');
  expect(json.consent_id).toBeTruthy();
  expect(json.events.map((e: { type: string }) => e.type)).toEqual(
    expect.arrayContaining(['request.opened', 'request.verified', 'request.signed']),
  );

  // The receipt page named this consent, and links to its evidence PDF on this receiver.
  const consentNumber = journey.receipt().locator('[data-receipt-summary="consent_id"]');
  await expect(consentNumber).toHaveText(json.consent_id);
  await expectEvidenceLink(page, json.consent_id);

  // The link again: "already signed", with the receipt page and the signed copy.
  await page.goto(receiver.link(created));
  await expect(requestPage(page, 'signed')).toBeVisible();
  await expect(page.locator('[data-receipt="accepted"] [data-receipt-field="consent_id"]')).toHaveText(json.consent_id);
  await expect(page.locator('[data-receipt="accepted"] h2')).toHaveText('已签署');
  await expect(consentNumber).toHaveText(json.consent_id);
  await expect(page.locator('[data-receipt="accepted"] [data-receipt-summary="company"]')).toHaveText('深圳特发东智科技有限公司');
  await expectEvidenceLink(page, json.consent_id);
  signed = { link: receiver.link(created), consentId: json.consent_id };
  // axe-core evaluated, not added as a <script>: the receiver's CSP allows no inline script.
  await page.evaluate(readFileSync('node_modules/axe-core/axe.min.js', 'utf8'));
  const violations = await page.evaluate(async () => {
    const result = await (window as any).axe.run(document.querySelector('main'), { resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({ id: v.id, nodes: v.nodes.slice(0, 3).map((n: any) => n.target.join(' ')) }));
  });
  expect(violations, 'axe on the signed request\'s page').toEqual([]);
  const copy = page.locator('[data-signed-copy="payload"]');
  await expect(copy).toContainText('qianyue-consent/2');
  await expect(copy).toContainText(created.id);
  await expect(copy).toContainText(MASKED);
  await expect(page.locator('form.signing')).toHaveCount(0);
  expect(errors).toEqual([]);

  // The carrier's listener heard opened, verified and signed, each signed with the secret,
  // naming this request (and, once signed, its consent).
  await expect.poll(() => listener.deliveries.length, { message: 'three webhooks' }).toBeGreaterThanOrEqual(3);
  listener.server.close();
  for (const d of listener.deliveries) expect(signedByReceiver(d), d.signature).toBe(true);
  const events = listener.deliveries.map((d) => JSON.parse(d.body));
  expect(events.map((e) => e.type)).toEqual(['request.opened', 'request.verified', 'request.signed']);
  for (const e of events) expect(e.request_id).toBe(created.id);
  expect(events[2].consent_id).toBe(json.consent_id);
  expect(new Set(events.map((e) => e.delivery_id)).size).toBe(3);
});

test('the receipt page\'s download is the evidence PDF of the consent; a wrong hash is not found', async ({ page }) => {
  expect(signed, 'the first test signed a request').toBeDefined();
  await page.goto(signed!.link);
  const link = page.locator('[data-receipt="accepted"] [data-action="download-evidence"]');
  const href = new URL((await link.getAttribute('href'))!, page.url()).href;
  const answer = await page.request.get(href);
  expect(answer.status()).toBe(200);
  expect(answer.headers()['content-type']).toBe('application/pdf');
  expect((await answer.body()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const [saved] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(saved.suggestedFilename()).toBe(`qianyue-${signed!.consentId}.pdf`);
  const wrong = href.replace(/sha256=[0-9a-f]{64}/, `sha256=${'0'.repeat(64)}`);
  expect((await page.request.get(wrong)).status()).toBe(404);
});

test('a revoked link shows its page, in Chinese and in English', async ({ page }) => {
  const created = await receiver.createRequest();
  const { status } = await receiver.backOffice('DELETE', `/api/requests/${created.id}`);
  expect(status).toBe(200);
  await page.goto(receiver.link(created));
  await expect(requestPage(page, 'revoked')).toContainText('此签署请求已撤销');
  await page.locator('[data-locale="en"]').click();
  await expect(requestPage(page, 'revoked')).toContainText('This signing request was withdrawn');
  await expect(page.locator('form.signing')).toHaveCount(0);
});

test('an expired link shows its page', async ({ page }) => {
  const created = await receiver.createRequest(2);
  await page.waitForTimeout(3_000);
  await page.goto(receiver.link(created));
  await expect(requestPage(page, 'expired')).toContainText('此签署请求已过期');
  await expect(page.locator('form.signing')).toHaveCount(0);
});

test('an unknown link shows its page', async ({ page }) => {
  await page.goto(`${receiver.url}/s/${'A'.repeat(43)}`);
  await expect(requestPage(page, 'unknown')).toContainText('找不到此签署请求');
});

test('without a request, the closed mode says how to get one, with no form', async ({ page }) => {
  await page.goto(`${receiver.url}/`);
  await expect(requestPage(page, 'none')).toContainText('客户经理');
  await page.locator('[data-locale="en"]').click();
  await expect(requestPage(page, 'none')).toContainText('account manager');
  await expect(page.locator('form.signing')).toHaveCount(0);
  await expect(page.locator('[data-part="order"]')).toHaveCount(0);
});

test('embedded, as an element or a frame, a request is read from the receiver and its fields are locked', async ({ page }) => {
  const created = await receiver.createRequest();
  // <qianyue-consent request="…">: the element's prefill is not used.
  await page.goto(`${receiver.url}/request-host.html#${created.token}`);
  const element = page.locator('qianyue-consent#signing');
  const contractNo = element.locator('[name="contract_no"]');
  await expect(contractNo).toHaveValue(seedForm(true).contract_no);
  await expect(contractNo).not.toBeEditable();
  await expect(element.locator('[data-locked="request"]').first()).toContainText('由中国移动提供');

  // The frame: the signer's link with ?embed=iframe (opened on its own here: the frame reads
  // the request whether or not a portal frames it).
  await page.goto(`${receiver.link(created)}?embed=iframe`);
  await expect(page.locator('[name="customer.group_name"]')).toHaveValue('深圳特发东智科技有限公司');
  await expect(page.locator('[name="customer.group_name"]')).not.toBeEditable();
  await new AgreementPage(page).reachSigningStep();
  await expect(page.locator('[data-action="send-code"]')).toContainText(MASKED);
});
