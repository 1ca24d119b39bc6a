// The staff mode at /staff (issue 19, docs/staff.md "The app"), end to end against the real
// receiver in the closed mode with the development SMS gateway and a back-office API key:
// the back office makes an enrolment code (POST /api/devices); the manager's browser enrols
// with it (a non-extractable key in IndexedDB) and stays enrolled across a reload; refused
// codes show the receiver's message; the requests assigned to the manager are downloaded
// (device-signed), listed, kept sealed in IndexedDB (no ID number in clear) and listed again
// with the network off, in the same browser profile closed and reopened.
//
// The receiver binary comes from QIANYUE_RECEIVER_BIN, else target/{receiver,release,debug};
// the app from QIANYUE_DIST, else dist/ (`cargo xtask build`).
import { test, expect, chromium, type BrowserContext, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import config from '../../playwright.config';
import { AgreementPage, OfflineApp, seedForm } from './pages';

const KEY = 'staff-e2e-back-office-key-0123456789abcdef';
const STAFF = { id: 'gz-0042', name: '陈晓明' };
const SIGNER = { name: '张晓梅', mobile: '13800138000' };

const receiverBin = process.env.QIANYUE_RECEIVER_BIN
  ?? ['target/receiver/qianyue-receiver', 'target/release/qianyue-receiver', 'target/debug/qianyue-receiver'].find((p) => existsSync(p));
const dist = process.env.QIANYUE_DIST ?? 'dist';
const chromiumArgs = (config.use?.launchOptions?.args as string[] | undefined) ?? [];

/** `YYYY-MM-DDTHH:MM:SS+08:00`, `seconds` from now, in China Standard Time. */
function inChina(seconds: number): string {
  return new Date(Date.now() + (seconds + 8 * 3600) * 1000).toISOString().slice(0, 19) + '+08:00';
}

/** A marker inside the test photo: found in clear nowhere on the device. */
const PHOTO_MARKER = 'QIANYUE-E2E-PHOTO-MARKER';

function crc32(bytes: Buffer): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** A PNG of `w`×`h` pixels, grey, with faint noise when `noise` (then it hardly compresses). */
function png(w: number, h: number, noise: boolean): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.alloc((w * 3 + 1) * h, 0x80);
  for (let y = 0; y < h; y++) raw[y * (w * 3 + 1)] = 0;
  if (noise) {
    // Faint noise (3 bits a channel): deflate cannot shrink it much, JPEG can.
    const random = randomBytes(raw.length);
    for (let i = 0; i < raw.length; i++) if (i % (w * 3 + 1) !== 0) raw[i] = 0x80 + (random[i] & 7);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The photo of the authorisation letter each consent carries: a small PNG with a marker. */
const LETTER = Buffer.concat([png(8, 8, false), Buffer.from(PHOTO_MARKER, 'latin1')]);
const LETTER_SHA256 = createHash('sha256').update(LETTER).digest('hex');

/** The real receiver in the closed mode, as a child process. */
class Receiver {
  /** Where the requests made here send their webhooks. */
  callbackUrl?: string;

  private constructor(readonly proc: ChildProcess, readonly url: string, readonly dataDir: string) {}

  static async start(): Promise<Receiver> {
    if (!receiverBin || !existsSync(receiverBin)) {
      throw new Error('no receiver binary: set QIANYUE_RECEIVER_BIN or build qianyue-receiver');
    }
    const dataDir = mkdtempSync(join(tmpdir(), 'qianyue-staff-'));
    const env: Record<string, string | undefined> = {
      ...process.env,
      QIANYUE_ADDR: '127.0.0.1:0',
      QIANYUE_DIST: dist,
      QIANYUE_DATA_DIR: dataDir,
      QIANYUE_API_KEYS: `backoffice=${KEY}`,
      QIANYUE_SMS: 'dev',
      QIANYUE_WEBHOOK_SECRET: 'staff-e2e-webhook-secret-0123456789',
      DATABASE_URL: '',
    };
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
    return new Receiver(proc, url, dataDir);
  }

  async stop() {
    if (this.proc.exitCode === null) {
      const exited = new Promise((resolve) => this.proc.once('exit', resolve));
      this.proc.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dataDir, { recursive: true, force: true });
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

  /** A new enrolment code for `staff`: `{id, enrolment_code, expires_at}`. */
  async enrolmentCode(staff = STAFF): Promise<{ id: string; enrolment_code: string }> {
    const { status, json } = await this.backOffice('POST', '/api/devices', { staff });
    expect(status, JSON.stringify(json)).toBe(201);
    return json;
  }

  /** A request of the seed with fees, contract no. `contractNo`, assigned to `assignee` (`null`: to nobody). */
  async assignedRequest(contractNo: string, assignee: string | null = STAFF.id): Promise<{ id: string }> {
    const form = seedForm(true);
    form.contract_no = contractNo;
    const { status, json } = await this.backOffice('POST', '/api/requests', {
      form,
      readonly: ['contract_no', 'customer', 'orders'],
      signer: SIGNER,
      expires_at: inChina(7 * 86_400),
      locale: 'zh-CN',
      ...(assignee ? { assignee } : {}),
      ...(this.callbackUrl ? { callback_url: this.callbackUrl } : {}),
    });
    expect(status, `POST /api/requests: ${JSON.stringify(json)}`).toBe(201);
    return json;
  }
}

/** The carrier's webhook listener on loopback (contract.md §6): every delivery's body, 200. */
async function webhookListener(): Promise<{ url: string; bodies: any[]; server: Server }> {
  const bodies: any[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c) => parts.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(parts).toString('utf8')));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/qianyue/webhook`, bodies, server };
}

const opened: BrowserContext[] = [];

async function launch(profile: string): Promise<{ context: BrowserContext; page: Page; app: OfflineApp }> {
  const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: chromiumArgs });
  opened.push(context);
  const page = context.pages()[0] ?? await context.newPage();
  page.on('pageerror', (e) => console.log(`[page error] ${e}`));
  page.on('console', (m) => { if (m.type() === 'error') console.log(`[console ${m.type()}] ${m.text()}`); });
  return { context, page, app: new OfflineApp(page) };
}

const codeInput = (page: Page) => page.locator('[name="staff.enrolment_code"]');
const enrolError = (page: Page) => page.locator('#staff-enrolment-error');
const rows = (page: Page) => page.locator('[data-staff-request]');

test.describe.serial('staff mode', () => {
  let work: string;
  let profile: string;
  let receiver: Receiver;
  let listener: { url: string; bodies: any[]; server: Server };
  let device: { id: string; enrolment_code: string };
  const contracts = ['75523040460309832023040611', '75523040460309832023040612', '75523040460309832023040613'];

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    work = mkdtempSync(join(tmpdir(), 'qianyue-staff-e2e-'));
    profile = join(work, 'profile');
    receiver = await Receiver.start();
    listener = await webhookListener();
    receiver.callbackUrl = listener.url;
  });

  test.afterAll(async () => {
    for (const context of opened) await context.close().catch(() => {});
    await receiver?.stop();
    listener?.server.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('enrols with a one-time code; refused codes show the receiver message; enrolled survives a reload', async () => {
    test.setTimeout(120_000);
    const { context, page } = await launch(profile);
    await page.goto(`${receiver.url}/staff`);
    await expect(codeInput(page)).toBeVisible();

    // Not a code's shape: the domain's refusal, before any call.
    await codeInput(page).fill('12');
    await page.locator('.staff-enrol button[type="submit"]').click();
    await expect(enrolError(page)).toHaveAttribute('data-staff-error', 'enrolment.code_format');
    await expect(enrolError(page)).toContainText('登记码应为8位字母或数字');
    await expect(codeInput(page)).toHaveAttribute('aria-invalid', 'true');

    // A well-formed code the receiver never made: its one refusal, in Chinese (and English).
    await codeInput(page).fill('ZZZZ-ZZZZ');
    await page.locator('.staff-enrol button[type="submit"]').click();
    await expect(enrolError(page)).toHaveAttribute('data-staff-error', 'enrolment.code_invalid');
    await expect(enrolError(page)).toContainText('登记码无效');
    await page.locator('[data-locale="en"]').click();
    await expect(enrolError(page)).toContainText('The enrolment code is wrong, used or expired');
    await page.locator('[data-locale="zh-CN"]').click();

    // The back office's code, typed in lower case: enrolled.
    device = await receiver.enrolmentCode();
    await codeInput(page).fill(device.enrolment_code.toLowerCase());
    await page.locator('.staff-enrol button[type="submit"]').click();
    await expect(page.locator('[data-staff="enrolled"]')).toContainText('此设备已登记');
    await expect(page.locator(`[data-staff-device="${device.id}"]`)).toBeVisible();
    await expect(page.locator(`[data-staff-name="${STAFF.id}"]`)).toContainText(STAFF.name);

    const listed = await receiver.backOffice('GET', '/api/devices');
    const item = listed.json.items.find((d: any) => d.id === device.id);
    expect(item.status).toBe('enrolled');
    expect(item.key_thumbprint).toBeTruthy();

    // The code works once: another browser (a fresh context) is refused with it.
    const other = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
    const otherPage = await other.newPage();
    await otherPage.goto(`${receiver.url}/staff`);
    await codeInput(otherPage).fill(device.enrolment_code);
    await otherPage.locator('.staff-enrol button[type="submit"]').click();
    await expect(enrolError(otherPage)).toHaveAttribute('data-staff-error', 'enrolment.code_invalid');
    await other.close();

    // A reload: still enrolled, the key a non-extractable CryptoKey in IndexedDB.
    await page.reload();
    await expect(page.locator(`[data-staff-device="${device.id}"]`)).toBeVisible();
    const stored = await page.evaluate(() => new Promise<any>((resolve, reject) => {
      const open = indexedDB.open('qianyue-staff');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const get = open.result.transaction('device').objectStore('device').get('this-device');
        get.onsuccess = () => {
          const r = get.result;
          resolve({ id: r.id, isKey: r.privateKey instanceof CryptoKey, extractable: r.privateKey.extractable });
          open.result.close();
        };
      };
    }));
    expect(stored).toEqual({ id: device.id, isKey: true, extractable: false });
    await context.close();
  });

  test('downloads the assigned requests, keeps them sealed, and lists them offline after a restart', async () => {
    test.setTimeout(180_000);
    const mine = [];
    for (const no of contracts) mine.push(await receiver.assignedRequest(no));
    const theirs = await receiver.assignedRequest('75523040460309832023040621', 'gz-0099');
    await receiver.assignedRequest('75523040460309832023040622', null);

    const { context, page, app } = await launch(profile);
    await page.goto(`${receiver.url}/staff`);
    await app.waitForServiceWorker();
    await expect(page.locator('[data-staff-sync="done"]')).toBeVisible();
    await expect(rows(page)).toHaveCount(3);
    for (const [i, r] of mine.entries()) {
      const row = page.locator(`[data-staff-request="${r.id}"]`);
      await expect(row).toContainText(contracts[i]);
      await expect(row).toContainText('深圳特发东智科技有限公司');
      await expect(row).toContainText(SIGNER.name);
    }
    await expect(page.locator(`[data-staff-request="${theirs.id}"]`)).toHaveCount(0);

    // At rest: no ID number, no name of a signer, no contract number in clear.
    const dump = JSON.stringify(await app.dumpIndexedDb());
    const form = seedForm(true);
    for (const secret of [form.agent.id_number, form.contact.id_number, contracts[0]]) {
      expect(dump).not.toContain(secret);
    }

    // "Refresh" while online finds a request assigned meanwhile.
    const fourth = await receiver.assignedRequest('75523040460309832023040614');
    await page.locator('[data-staff-action="refresh"]').click();
    await expect(rows(page)).toHaveCount(4);
    await context.close();

    // The browser closed, reopened with the network off: the stored copy is listed.
    const again = await launch(profile);
    await again.context.setOffline(true);
    await again.page.goto(`${receiver.url}/staff`);
    await expect(again.page.locator(`[data-staff-device="${device.id}"]`)).toBeVisible();
    await expect(again.page.locator('[data-staff-sync="failed"]')).toBeVisible();
    await expect(rows(again.page)).toHaveCount(4);
    await expect(again.page.locator(`[data-staff-request="${fourth.id}"]`)).toContainText('75523040460309832023040614');
    await again.context.close();
  });

  test('signs the requests offline with the check in person; once back online each is sent once, witnessed; a request revoked meanwhile needs attention', async () => {
    test.setTimeout(300_000);
    const { context, page, app } = await launch(profile);
    await page.goto(`${receiver.url}/staff`);
    await app.waitForServiceWorker();
    await expect(page.locator('[data-staff-sync="done"]')).toBeVisible();
    await expect(rows(page)).toHaveCount(4);
    await context.setOffline(true);
    // The fourth request is withdrawn by the back office while the device is offline.
    const revokedId = (await rows(page).nth(3).getAttribute('data-staff-request'))!;
    expect((await receiver.backOffice('DELETE', `/api/requests/${revokedId}`)).status).toBe(200);

    const journey = new AgreementPage(page);
    const signedIds: string[] = [];
    for (let i = 0; i < 4; i++) {
      const row = rows(page).nth(i);
      const id = (await row.getAttribute('data-staff-request'))!;
      await row.locator('[data-staff-action="open"]').click();
      await journey.reachForm();
      // Read-only values are locked as online.
      await expect(journey.field('customer.group_name')).not.toBeEditable();
      await journey.giveConsents();
      // No SMS step: the check in person, checked as it is typed.
      await expect(page.locator('[data-action="send-code"]')).toHaveCount(0);
      const last4 = page.locator('[name="witness.number_last4"]');
      await last4.fill('1234');
      await expect(last4).toHaveAttribute('aria-invalid', 'true');
      await expect(page.locator('#witness-number-last4-message')).toContainText('后4位与协议中此人的证件号码不一致');
      await expect(page.locator('#f-signature-mode-typed')).toBeDisabled();
      await last4.fill('5316');
      await expect(page.locator('#witness[data-witness="complete"]')).toBeVisible();
      if (i === 0) {
        // Not an image, and over the limit: refused in the page.
        const seal = page.locator('[name="witness.photo.company_seal"]');
        await seal.setInputFiles({ name: 'seal.jpg', mimeType: 'image/jpeg', buffer: randomBytes(1_200_000) });
        await expect(page.locator('[data-photo="company_seal"]')).toHaveAttribute('data-photo-state', 'refused');
        await expect(page.locator('#witness-photo-company_seal-message')).toContainText('每张照片不超过1 MB');
        // An image over the limit is re-encoded smaller (JPEG) and attached.
        await seal.setInputFiles({ name: 'seal.png', mimeType: 'image/png', buffer: png(1800, 1400, true) });
        await expect(page.locator('[data-photo="company_seal"]')).toHaveAttribute('data-photo-state', 'attached', { timeout: 20_000 });
        // Not sent after all: the record keeps the letter only (a photo can be replaced, not yet removed).
        await page.locator('[data-staff-action="back"]').click();
        await row.locator('[data-staff-action="open"]').click();
        await journey.reachForm();
        await journey.giveConsents();
        await last4.fill('5316');
      }
      await page.locator('[name="witness.photo.authorisation_letter"]').setInputFiles({ name: 'letter.png', mimeType: 'image/png', buffer: LETTER });
      await expect(page.locator('[data-photo="authorisation_letter"]')).toHaveAttribute('data-photo-state', 'attached');
      await journey.typeSignature('刘志强');
      await journey.signAndSendButton().click();
      await expect(page.locator('[data-receipt="queued"]')).toBeVisible();
      if (id !== revokedId) signedIds.push(id);
      await page.locator('[data-staff-action="back"]').click();
    }
    expect(signedIds).toHaveLength(3);

    // Closed and reopened offline: the four consents wait in the outbox, sealed.
    await context.close();
    const again = await launch(profile);
    await again.context.setOffline(true);
    await again.page.goto(`${receiver.url}/staff`);
    await again.app.expectQueued(4);
    const dump = JSON.stringify(await again.app.dumpIndexedDb());
    expect(dump).not.toContain(seedForm(true).agent.id_number);
    expect(dump).not.toContain(PHOTO_MARKER);
    // The letter (the same photo in the three records) waits sealed, by its digest.
    const waiting = (await again.app.dumpIndexedDb()).filter((d) => d.db === 'qianyue-staff' && d.store === 'photos');
    expect(waiting[0]?.keys).toEqual([LETTER_SHA256]);

    // Online, the network toggling during the flush.
    await again.context.setOffline(false);
    await again.page.waitForTimeout(300);
    await again.context.setOffline(true);
    await again.page.waitForTimeout(300);
    await again.context.setOffline(false);
    await expect(again.app.items('attention')).toHaveCount(1, { timeout: 60_000 });
    await again.app.expectQueued(0);
    await expect(again.app.attentionList()).toContainText('撤销');

    for (const id of signedIds) {
      const r = await receiver.backOffice('GET', `/api/requests/${id}`);
      expect(r.json.status, JSON.stringify(r.json)).toBe('signed');
      expect(r.json.consent_id).toBeTruthy();
      // The consent as stored: qianyue-consent/3, witnessed by this device for its manager.
      const c = await receiver.backOffice('GET', `/api/consents/${r.json.consent_id}`);
      expect(c.status, JSON.stringify(c.json)).toBe(200);
      expect(c.json.payload.format).toBe('qianyue-consent/3');
      expect(c.json.payload.request.id).toBe(id);
      expect(c.json.payload.witness.device).toBe(device.id);
      expect(c.json.payload.witness.staff).toEqual(STAFF);
      expect(c.json.payload.witness.number_last4).toBe('5316');
      expect(c.json.payload.witness.attachments).toEqual([
        { kind: 'authorisation_letter', media_type: 'image/png', bytes: LETTER.length, sha256: LETTER_SHA256 },
      ]);
    }
    expect((await receiver.backOffice('GET', `/api/requests/${revokedId}`)).json.status).toBe('revoked');
    // One text per consent, naming the manager who witnessed it.
    const texts: { to: string; text: string }[] = await (await fetch(`${receiver.url}/dev/sms`)).json();
    const witnessed = texts.filter((t) => t.text.includes(`客户经理${STAFF.name}见证`));
    expect(witnessed).toHaveLength(3);
    // The photos, uploaded, are no longer kept on the device.
    const photosLeft = (await again.app.dumpIndexedDb()).filter((d) => d.db === 'qianyue-staff' && d.store === 'photos');
    expect(photosLeft).toHaveLength(1);
    expect(photosLeft[0].keys).toEqual([]);
    // One request.signed webhook per consent, saying who witnessed it.
    await expect.poll(() => listener.bodies.filter((b) => b.type === 'request.signed').length, { timeout: 30_000 }).toBe(3);
    for (const b of listener.bodies.filter((b) => b.type === 'request.signed')) {
      expect(signedIds).toContain(b.request_id);
      expect(b.witness).toEqual({ staff: STAFF, device: device.id });
    }
    await again.context.close();
  });

  test('a device revoked while offline: its consent lands in needs attention with the receiver message', async () => {
    test.setTimeout(180_000);
    const request = await receiver.assignedRequest('75523040460309832023040615');
    const { context, page, app } = await launch(profile);
    await page.goto(`${receiver.url}/staff`);
    await expect(page.locator('[data-staff-sync="done"]')).toBeVisible();
    const row = page.locator(`[data-staff-request="${request.id}"]`);
    await expect(row).toBeVisible();
    await context.setOffline(true);
    expect((await receiver.backOffice('DELETE', `/api/devices/${device.id}`)).status).toBe(200);

    const journey = new AgreementPage(page);
    await row.locator('[data-staff-action="open"]').click();
    await journey.reachForm();
    await journey.giveConsents();
    await page.locator('[name="witness.number_last4"]').fill('5316');
    await journey.typeSignature('刘志强');
    await journey.signAndSendButton().click();
    await expect(page.locator('[data-receipt="queued"]')).toBeVisible();
    await page.locator('[data-staff-action="back"]').click();

    await context.setOffline(false);
    await expect(app.items('attention')).toHaveCount(2, { timeout: 60_000 });
    await expect(app.attentionList()).toContainText('该设备已被停用');
    expect((await receiver.backOffice('GET', `/api/requests/${request.id}`)).json.status).toBe('open');
    await context.close();
  });
});
