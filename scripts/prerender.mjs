// Puts the first screen rendered at build time (src/prerender.rs, the `qianyue-prerender`
// binary: the app's own components rendered to HTML) into the staged index.html, in place of
// the marker comment, so that the served page paints the agreement before any wasm arrives;
// after it, the agreement's Chinese files, which the release wasm reads from the page instead
// of carrying them (src/content.rs).
//
// Run by Trunk after each build, before the split and the precache list (Trunk.toml), which
// therefore see the final index.html. The binary is built natively with cargo's dev profile,
// which the native tests and clippy build anyway.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MARKER = /<!-- qianyue:first-screen[^>]*-->/;

function fail(message) {
  console.error(`prerender: ${message}`);
  process.exit(1);
}

const staging = process.env.TRUNK_STAGING_DIR || fail('run as a Trunk post_build hook (TRUNK_STAGING_DIR)');
const htmlPath = join(staging, 'index.html');
const html = readFileSync(htmlPath, 'utf8');
if (!MARKER.test(html)) fail(`${htmlPath} has no <!-- qianyue:first-screen --> marker`);

// Trunk's own target and profile settings are for the wasm build; the renderer is native.
// Nor is the standard library rebuilt for it (xtask's `WASM_STD_ENV`, for the wasm only).
const env = { ...process.env };
for (const name of ['CARGO_BUILD_TARGET', 'RUSTC_BOOTSTRAP', 'CARGO_UNSTABLE_BUILD_STD',
  'CARGO_UNSTABLE_BUILD_STD_FEATURES', 'CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS']) delete env[name];
let screen;
try {
  screen = execFileSync('cargo', ['run', '--quiet', '--locked', '--bin', 'qianyue-prerender'], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 << 20,
  });
} catch (e) {
  fail(`cargo run --bin qianyue-prerender: ${e.message}`);
}
if (!screen.startsWith('<div id="qianyue-prerendered">')) fail('the renderer printed no first screen');
if ((screen.match(/<script type="text\/plain" data-qianyue-text="/g) ?? []).length !== 4) {
  fail('the renderer printed not the four parts\' text');
}
// The wasm's preload at low priority: the page now paints without it, and on a slow link a
// high-priority 180 KB fetch would share the bandwidth with the stylesheets that the first
// paint waits for. (Chromium holds low-priority fetches back while those load.)
const PRELOAD = /(<link rel="preload"[^>]*as="fetch" type="application\/wasm")/;
if (!PRELOAD.test(html)) fail('index.html has no preload of the wasm');
writeFileSync(htmlPath, html.replace(MARKER, () => screen).replace(PRELOAD, '$1 fetchpriority="low"'));
console.error(`prerender: first screen, ${screen.length} bytes, into ${htmlPath}`);
