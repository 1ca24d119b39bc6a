// `isNetworkOnly` (sw.js): the paths the service worker never answers from its cache, so that the
// API and the health check always reach the receiver. Its list repeats the receiver's routes; this
// test reads those routes from the receiver's source (crates/receiver/src), so a route added
// there and forgotten here fails it.
//
// Run: node --test tests/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import vm from 'node:vm';

const root = new URL('../../', import.meta.url);
const read = (path) => readFileSync(new URL(path, root), 'utf8');

/** Loads sw.js as a browser loads a worker script, with the worker scope at `scope`. */
function worker(scope) {
  const self = {
    registration: { scope: new URL(scope, 'https://consent.example.com').href },
    location: { origin: 'https://consent.example.com' },
    addEventListener() {},
  };
  const context = vm.createContext({ self, URL });
  vm.runInContext(read('sw.js'), context, { filename: 'sw.js' });
  assert.equal(typeof context.isNetworkOnly, 'function', 'sw.js defines isNetworkOnly');
  return context.isNetworkOnly;
}

/**
 * Receiver routes the worker may leave off its list, each with the reason. A route is either
 * network-only or here; an entry here that is no longer a route fails the test too.
 */
const NOT_NETWORK_ONLY = new Map([
  [
    '/embed-config.json',
    // Not in any build the receiver serves, so never in the precache list: the worker passes it
    // to the network untouched. A static deployment without the receiver ships it as a file of
    // the build (docs/embedding.md), which the worker then serves as it serves that build.
    'the frame allow-list: not precached when the receiver answers it',
  ],
]);

/** Every path routed in crates/receiver/src (`.route("…"` and the like), as written. */
function receiverRoutes() {
  const dir = new URL('crates/receiver/src/', root);
  const sources = readdirSync(dir, { recursive: true })
    .filter((f) => f.endsWith('.rs'))
    .map((f) => [f, readFileSync(new URL(f, dir), 'utf8')]);
  const routes = [];
  for (const [file, text] of sources) {
    const calls = text.match(/\.(?:route|route_service|nest|nest_service)\(/g) ?? [];
    const literal = [...text.matchAll(/\.(?:route|route_service|nest|nest_service)\(\s*"([^"]*)"/g)];
    // A route whose path is not a string literal would escape this test: say so instead.
    assert.equal(literal.length, calls.length, `${file}: every route's path is a string literal`);
    routes.push(...literal.map((m) => m[1]));
  }
  return routes;
}

/** A concrete path for a route: each `{param}` or `{*rest}` becomes one segment. */
const concrete = (route) => route.replace(/\{[^}]*\}/g, 'x');

test('the receiver\'s routes are read from its source', () => {
  const routes = receiverRoutes();
  // The routes of this version: if the reading above breaks, this says so.
  for (const known of ['/api/consents', '/api/consents/{id}', '/healthz']) {
    assert.ok(routes.includes(known), `${known} found among ${routes.join(', ')}`);
  }
});

test('every route of the receiver is network-only, or listed with its reason', () => {
  for (const scope of ['/', '/qianyue/']) {
    const isNetworkOnly = worker(scope);
    for (const route of receiverRoutes()) {
      const path = scope + concrete(route).slice(1);
      if (NOT_NETWORK_ONLY.has(route)) continue;
      assert.ok(
        isNetworkOnly(path),
        `${path} (receiver route ${route}) would be served by the worker: add it to isNetworkOnly ` +
          'in sw.js, or to NOT_NETWORK_ONLY here with the reason',
      );
    }
  }
  for (const route of NOT_NETWORK_ONLY.keys()) {
    assert.ok(receiverRoutes().includes(route), `${route} is still a receiver route`);
    assert.equal(worker('/')(route), false, `${route} is listed as not network-only but is`);
  }
});

test('the receiver\'s API prefix is network-only as a whole', () => {
  // Unknown /api paths are the receiver's JSON 404 (api::fallback), not a file of the build.
  const isNetworkOnly = worker('/');
  for (const path of ['/api', '/api/', '/api/anything/new', '/api/keys/']) {
    assert.ok(isNetworkOnly(path), path);
  }
});

test('the app and its files are not network-only', () => {
  for (const scope of ['/', '/qianyue/']) {
    const isNetworkOnly = worker(scope);
    for (const file of ['', 'index.html', 'qianyue-0123abcd.js', 'qianyue-0123abcd_bg.wasm',
      'manifest.webmanifest', 'sw.js', 'apiary', 'api.js', 'healthz.html', 'healthzx']) {
      assert.equal(isNetworkOnly(scope + file), false, scope + file);
    }
  }
});
