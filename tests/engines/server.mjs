// What the engine journeys run against, on loopback: the real receiver (the binary in
// QIANYUE_RECEIVER_BIN, else target/debug/qianyue-receiver) serving the release build (dist/),
// with a fresh data directory of its own (SQLite file, receipt key), a back-office token and
// the portal's origin on its allow-list (QIANYUE_FRAME_ANCESTORS: CSP, /embed-config.json and
// CORS); a loopback TCP proxy in front of it, which is the origin the browsers see; and a
// portal on another origin that embeds `<qianyue-consent>`. WebDriver has no request
// interception (and Firefox's and WebKit's have no network emulation), so the network is
// played by the proxy: `app.offline = true` destroys every open and new connection, as an
// unplugged network does, which is how the offline cold start is tested. The proxy also reads
// the requests going through it, so a test sees the consents the app posted (`app.posted`);
// what the receiver stored it asks the receiver itself (`app.stored(id)`, bearer token).
import { createServer } from 'node:http';
import { connect, createServer as createTcpServer } from 'node:net';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The seed's form (personal data synthetic), shared with the Rust tests, as a portal prefills
 * it today: the app fills the signing date with the day of signing (China Standard Time), so
 * the authorisation runs to 2099-12-31 to cover it (the seed's own ends on 2023-12-31), as in
 * the Playwright suite's `seedForm`.
 */
export const seedForm = (withFees = false) => {
  const form = JSON.parse(
    readFileSync(`crates/domain/tests/fixtures/seed-form${withFees ? '-with-fees' : ''}.json`, 'utf8'),
  );
  form.agent.valid_to = '2099-12-31';
  return form;
};

/** The back office's bearer token of the receiver the journeys start (`QIANYUE_ADMIN_TOKEN`). */
const ADMIN_TOKEN = 'engines-journeys-admin-token-0123456789';
/** The back office's API key for signing requests (`QIANYUE_API_KEYS`). */
const API_KEY = 'engines-journeys-api-key-0123456789abcdef';

/** The receiver binary: as `cargo xtask` passes it, else the debug build. */
const receiverBin = () => {
  const bin = process.env.QIANYUE_RECEIVER_BIN ?? 'target/debug/qianyue-receiver';
  if (!existsSync(bin)) {
    throw new Error(`no receiver binary at ${bin}: set QIANYUE_RECEIVER_BIN or run `
      + 'cargo build -p qianyue-receiver --bin qianyue-receiver');
  }
  return bin;
};

/**
 * Starts the real receiver on 127.0.0.1 (a free port) serving `dist`, with `dataDir` and
 * `frameAncestors`; resolves with its URL (read from the first line it prints) and `stop()`.
 */
function startReceiver(dist, dataDir, frameAncestors) {
  const proc = spawn(receiverBin(), [], {
    env: {
      ...process.env,
      QIANYUE_ADDR: '127.0.0.1:0',
      QIANYUE_DIST: dist,
      QIANYUE_DATA_DIR: dataDir,
      QIANYUE_ADMIN_TOKEN: ADMIN_TOKEN,
      QIANYUE_FRAME_ANCESTORS: frameAncestors,
      DATABASE_URL: '',
      // The journeys without a request run in the open mode (docs/decisions.md "Signing requests");
      // a request's consent (qianyue-consent/2) is checked as in the closed one.
      QIANYUE_OPEN_SIGNING: '1',
      QIANYUE_API_KEYS: `engines=${API_KEY}`,
      // The signer's codes are listed at /dev/sms.
      QIANYUE_SMS: 'dev',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  proc.stderr.on('data', (d) => { log = (log + d).slice(-8000); });
  return new Promise((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the receiver did not start in 60 s:\n${out}${log}`)), 60_000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[^/\s]+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl({
          url: m[1],
          log: () => log,
          stop: () => new Promise((done) => {
            if (proc.exitCode !== null || proc.signalCode !== null) { done(); return; }
            proc.once('exit', () => done());
            proc.kill('SIGTERM');
          }),
        });
      }
    });
    proc.on('error', (e) => { clearTimeout(timer); reject(e); });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the receiver exited (${code}):\n${out}${log}`)); });
  });
}

/**
 * Reads an HTTP/1.1 request stream (one direction of a proxied connection) and calls
 * `onPost(body)` for each complete `POST /api/consents`, and `onHead(target, fields)` for every
 * request's head. Browsers send such a body with a Content-Length (the app posts a string),
 * which is all this reads.
 */
function consentPosts(onPost, onHead = () => {}) {
  let buf = Buffer.alloc(0);
  let body = null;
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (body) {
        const take = Math.min(body.need, buf.length);
        body.parts.push(buf.subarray(0, take));
        body.need -= take;
        buf = buf.subarray(take);
        if (body.need > 0) return;
        if (body.post) onPost(Buffer.concat(body.parts).toString('utf8'));
        body = null;
      }
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [line, ...fields] = buf.subarray(0, end).toString('latin1').split('\r\n');
      buf = buf.subarray(end + 4);
      const [method, target = ''] = line.split(' ');
      onHead(target, fields);
      const length = fields.find((f) => /^content-length\s*:/i.test(f));
      body = {
        need: length ? Number(length.slice(length.indexOf(':') + 1).trim()) || 0 : 0,
        parts: [],
        post: method === 'POST' && target.split('?')[0] === '/api/consents',
      };
    }
  };
}

const listen = (server, host) => new Promise((resolve) => server.listen(0, host, resolve));

/**
 * The real receiver serving `dist` with a fresh data directory, behind a loopback proxy at
 * `app.url` (127.0.0.1). `posted` collects the bodies of `POST /api/consents` that went
 * through; `offline` makes every connection fail as an unplugged network does; `stored(id)`
 * is the receiver's `GET /api/consents/{id}?unmask=true` (status and body), asked directly, past
 * the proxy.
 */
export async function startApp(dist, portalOrigin) {
  const dataDir = mkdtempSync(join(tmpdir(), 'qianyue-engines-'));
  let receiver;
  try {
    receiver = await startReceiver(resolve(dist), dataDir, `'self' ${portalOrigin}`);
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const target = new URL(receiver.url);
  const sockets = new Set();
  const app = {
    posted: [],
    /** Every request's path, and whether it said it holds a dictionary (`Available-Dictionary`). */
    requests: [],
    /** How many answers came `Content-Encoding: dcb`. */
    dcbAnswers: 0,
    url: '',
    receiverUrl: receiver.url,
    get offline() { return offline; },
    set offline(value) {
      offline = value;
      if (value) for (const s of sockets) s.destroy();
    },
    /**
     * Opens a signing request for `form` (the back office, `POST /api/requests`): its order and
     * customer read-only, the signer the seed's contact. Answers `{id, token, url, …}`.
     */
    async createRequest(form) {
      const now = new Date(Date.now() + (7 * 86_400 + 8 * 3600) * 1000);
      const r = await fetch(`${receiver.url}/api/requests`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          form,
          readonly: ['contract_no', 'customer', 'orders'],
          signer: { name: '张晓梅', mobile: '13800138000' },
          expires_at: `${now.toISOString().slice(0, 19)}+08:00`,
          locale: 'en',
        }),
      });
      const body = await r.json();
      if (r.status !== 201) throw new Error(`POST /api/requests: ${r.status} ${JSON.stringify(body)}`);
      return body;
    },
    /** `GET /api/requests/{id}` with the API key. */
    async request(id) {
      const r = await fetch(`${receiver.url}/api/requests/${id}`, { headers: { authorization: `Bearer ${API_KEY}` } });
      return r.json();
    },
    /** The code in the newest text sent to `mobile` (`GET /dev/sms`). */
    async lastCode(mobile) {
      const texts = await (await fetch(`${receiver.url}/dev/sms`)).json();
      const text = texts.filter((t) => t.to === mobile).at(-1)?.text ?? '';
      return /(\d{6})/.exec(text)?.[1] ?? null;
    },
    async stored(id) {
      // `unmask=true`: the payload as signed, ID numbers whole (masked by default).
      const r = await fetch(`${receiver.url}/api/consents/${encodeURIComponent(id)}?unmask=true`,
        { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      return { status: r.status, body: await r.json().catch(() => null) };
    },
    close: async () => {},
  };
  let offline = false;
  const track = (s) => { sockets.add(s); s.once('close', () => sockets.delete(s)); };
  const proxy = createTcpServer((client) => {
    if (offline) { client.destroy(); return; }
    const upstream = connect(Number(target.port), target.hostname);
    track(client);
    track(upstream);
    const read = consentPosts((body) => app.posted.push(body), (target, fields) => app.requests.push({
      path: target.split('?')[0],
      dictionary: fields.some((f) => /^available-dictionary\s*:/i.test(f)),
    }));
    client.on('data', (chunk) => {
      read(chunk);
      upstream.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.pipe(client);
    // A wasm file sent compressed with the main module as its dictionary (crates/dcb).
    upstream.on('data', (chunk) => { if (chunk.includes('\r\ncontent-encoding: dcb\r\n')) app.dcbAnswers += 1; });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await listen(proxy, '127.0.0.1');
  app.url = `http://127.0.0.1:${proxy.address().port}`;
  app.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((done) => proxy.close(() => done()));
    await receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return app;
}

/** The portal's page: one `<qianyue-consent>` (prefilled with `form`) whose events it records. */
const elementPage = (appUrl, form) => `<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Portal</title><link rel="icon" href="data:,"></head>
<body>
  <div style="width: 960px">
    <qianyue-consent id="a" locale="en" agreement="cmgd-cancellation" agreement-version="v2"
      prefill='${JSON.stringify(form).replace(/&/g, '&amp;').replace(/'/g, '&#39;')}'></qianyue-consent>
  </div>
  <script type="module">
    window.events = [];
    for (const type of ['qianyue-ready', 'qianyue-change', 'qianyue-submitted', 'qianyue-error']) {
      document.addEventListener(type, (e) => window.events.push({
        type, target: e.target.id, detail: e.detail, bubbles: e.bubbles, composed: e.composed,
      }));
    }
    await import('${appUrl}/embed.js');
  </script>
</body></html>`;

/**
 * A portal on `http://localhost:<port>`, another origin than the app's 127.0.0.1. Started
 * first, as its origin goes on the receiver's allow-list; `appUrl()` is read per request.
 */
export async function startPortal(appUrl, form) {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/elements.html') {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(elementPage(appUrl(), form));
  });
  await listen(server, '127.0.0.1');
  return {
    origin: `http://localhost:${server.address().port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}
