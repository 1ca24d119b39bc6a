// Writes `embed-files.html` beside index.html: the app's files as the staged index.html names
// them (the wasm-bindgen modules, the wasm's preload with its integrity, the stylesheets) and
// nothing else. embed.js, the portal's loader, reads this instead of index.html, which holds
// the first screen rendered at build time (15 KB brotli that a portal page never shows). It
// also carries the agreement's Chinese files, which the release wasm reads from the page that
// loads it (src/content.rs): embed.js hands them over.
//
// Run by Trunk after the split (which names the final modules) and before the precache list
// (Trunk.toml).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function fail(message) {
  console.error(`embed-files: ${message}`);
  process.exit(1);
}

const staging = process.env.TRUNK_STAGING_DIR || fail('run as a Trunk post_build hook (TRUNK_STAGING_DIR)');
const html = readFileSync(join(staging, 'index.html'), 'utf8');
const links = html.match(/<link\b[^>]*>/gi) ?? [];
const wanted = links.filter((l) => /\brel="(?:modulepreload|stylesheet)"/i.test(l)
  || (/\brel="preload"/i.test(l) && /\btype="application\/wasm"/i.test(l)));
if (!wanted.some((l) => /application\/wasm/.test(l))) fail('index.html has no wasm preload');
if (!wanted.some((l) => /modulepreload/.test(l))) fail('index.html has no module preload');
const texts = html.match(/<script type="text\/plain" data-qianyue-text="[a-z]+">[^]*?<\/script>/g) ?? [];
if (texts.length !== 4) fail(`index.html carries ${texts.length} of the agreement's four parts`);
writeFileSync(join(staging, 'embed-files.html'),
  `<!DOCTYPE html>\n<!-- The app's files, for embed.js (scripts/embed-files.mjs). -->\n<head>\n${wanted.join('\n')}\n${texts.join('\n')}\n</head>\n`);
