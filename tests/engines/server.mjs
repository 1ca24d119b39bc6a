// The servers the engine journeys run against, on loopback: the release build (dist/) with a
// stand-in receiver (GET /api/keys, POST /api/consents answered with a signed receipt, the
// embedding's allow-list /embed-config.json), and a portal on another origin that embeds
// `<qianyue-consent>`. WebDriver has no request interception (and Firefox's and WebKit's have no
// network emulation), so the network is played here: `app.offline = true` drops every request
// as a network failure would, which is how the offline cold start is tested.
import { createServer } from 'node:http';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';

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

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};
const CORS = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type' };

// The receiver's receipt key, a stand-in (docs/receiver.md): the app accepts a consent as
// delivered only with a receipt that names it and verifies with a key from `/api/keys`.
const receiptKey = generateKeyPairSync('ed25519');
const b64url = (bytes) => bytes.toString('base64url');
const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest();
/** RFC 8785 for JSON with integers only: members sorted by UTF-16 code units, no whitespace. */
const canonical = (v) => Array.isArray(v)
  ? `[${v.map(canonical).join(',')}]`
  : v !== null && typeof v === 'object'
    ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`
    : JSON.stringify(v);
const receiptX = receiptKey.publicKey.export({ format: 'jwk' }).x;
const receiptKid = b64url(sha256(canonical({ crv: 'Ed25519', kty: 'OKP', x: receiptX })));

/** `GET /api/keys` of the stand-in receiver. */
export const receiverKeys = () =>
  ({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: receiptX, kid: receiptKid, alg: 'EdDSA', use: 'sig' }] });

/** The receipt envelope the receiver answers for a posted consent envelope, signed (Ed25519). */
export function signedReceipt(envelopeJson) {
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
    receiver_key: receiptKid,
  };
  const signature = sign(null, Buffer.from(canonical(receipt), 'utf8'), receiptKey.privateKey);
  return { receipt, signature: b64url(signature) };
}

const listen = (server, host) => new Promise((resolve) => server.listen(0, host, resolve));
const body = (req) => new Promise((resolve) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
});

/**
 * Serves `dist` on 127.0.0.1 with the stand-in receiver. `posted` collects the bodies of
 * `POST /api/consents`; `offline` makes every request fail as an unplugged network does.
 */
export async function startApp(dist, portalOrigin = () => '') {
  const app = { posted: [], offline: false, url: '', close: () => {} };
  const server = createServer(async (req, res) => {
    if (app.offline) {
      req.socket.destroy();
      return;
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/api/consents') {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { ...CORS, 'access-control-allow-methods': 'POST' }).end();
        return;
      }
      const sent = await body(req);
      app.posted.push(sent);
      res.writeHead(201, { ...CORS, 'content-type': 'application/json' }).end(JSON.stringify(signedReceipt(sent)));
      return;
    }
    if (path === '/api/keys') {
      res.writeHead(200, { ...CORS, 'content-type': 'application/json' }).end(JSON.stringify(receiverKeys()));
      return;
    }
    if (path === '/embed-config.json') {
      res.writeHead(200, { ...CORS, 'content-type': 'application/json' })
        .end(JSON.stringify({ allowed_origins: [portalOrigin()] }));
      return;
    }
    // A file of dist/, else index.html for a path without an extension (a single-page app).
    const file = normalize(join(dist, decodeURIComponent(path)));
    let served = file.startsWith(normalize(dist)) ? file : '';
    if (path.endsWith('/')) served = join(dist, 'index.html');
    let content;
    try {
      content = await readFile(served);
    } catch {
      if (extname(path) !== '') {
        res.writeHead(404, CORS).end('not found');
        return;
      }
      served = join(dist, 'index.html');
      content = await readFile(served);
    }
    res.writeHead(200, {
      ...CORS,
      'content-type': TYPES[extname(served)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : content);
  });
  server.keepAliveTimeout = 1000;
  await listen(server, '127.0.0.1');
  app.url = `http://127.0.0.1:${server.address().port}`;
  app.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); });
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

/** A portal on `http://localhost:<port>`, another origin than the app's 127.0.0.1. */
export async function startPortal(appUrl, form) {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/elements.html') {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(elementPage(appUrl, form));
  });
  await listen(server, '127.0.0.1');
  return {
    origin: `http://localhost:${server.address().port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}
