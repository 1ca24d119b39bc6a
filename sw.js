// Qianyue's service worker: the app shell of one build, precached so that the app starts and
// works with no network. Plain JavaScript, no imports; docs/offline.md explains the design.
//
// - install: precache every file of this build (the list below), bypassing the HTTP cache.
//   No skipWaiting here: an update waits until the user chooses to reload (the page posts
//   {type: "SKIP_WAITING"}), so a page never runs against files of another build.
// - activate: delete the caches of other builds, take control of open pages.
// - fetch: navigations get this build's index.html from the cache; this build's files come
//   from the cache; /api/ and /healthz are never intercepted (always the network, never cached);
//   anything else goes to the network untouched.
'use strict';

// @precache-begin — written by scripts/precache.mjs after every Trunk build; do not edit.
const BUILD_ID = 'unbuilt';
const PRECACHE = [];
// @precache-end

const CACHE_PREFIX = 'qianyue-shell-';
const CACHE = CACHE_PREFIX + BUILD_ID;
const SCOPE_PATH = new URL(self.registration.scope).pathname; // "/" when served at the root
const SHELL = SCOPE_PATH + 'index.html';
const PRECACHED = new Set(PRECACHE);

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload' }))),
    ),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(CACHE_PREFIX) && name !== CACHE) {
          await caches.delete(name);
        }
      }
      await self.clients.claim();
    })(),
  );
});

/**
 * Paths that always go to the network: the API (consents, keys), the health check, and the
 * development SMS list (`QIANYUE_SMS=dev`), which a developer opens in a tab of the app's origin.
 */
function isNetworkOnly(path) {
  const rel = path.startsWith(SCOPE_PATH) ? path.slice(SCOPE_PATH.length - 1) : path;
  return rel === '/api' || rel.startsWith('/api/') || rel === '/healthz' || rel === '/dev/sms';
}

/** A navigation to the app itself (not to one of its files, say /manifest.webmanifest). */
function isAppNavigation(path) {
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last === '' || last.endsWith('.html') || !last.includes('.');
}

async function fromCache(request, key) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(key);
  return cached || fetch(request);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || isNetworkOnly(url.pathname)) return;
  if (request.mode === 'navigate' && isAppNavigation(url.pathname)) {
    event.respondWith(fromCache(request, SHELL));
  } else if (PRECACHED.has(url.pathname)) {
    event.respondWith(fromCache(request, url.pathname));
  }
});

self.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.type === 'SKIP_WAITING') {
    self.skipWaiting();
  } else if (data.type === 'GET_BUILD') {
    const reply = { type: 'BUILD', build: BUILD_ID, files: PRECACHE.length };
    if (event.ports && event.ports[0]) event.ports[0].postMessage(reply);
    else if (event.source) event.source.postMessage(reply);
  }
});
