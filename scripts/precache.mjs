// Writes the precache list and the build id into the built service worker.
//
// Run by Trunk after each build (Trunk.toml `[[hooks]] stage = "post_build"`): it reads the
// staging directory (TRUNK_STAGING_DIR), where the build's files already carry their final,
// hashed names, and replaces the block between `// @precache-begin` and `// @precache-end` in
// that directory's sw.js with
//
//   const BUILD_ID = '<16 hex digits>';
//   const PRECACHE = ['/index.html', '/qianyue-….js', …];
//
// The build id is derived from the names and contents of the files, so any change to the app
// changes sw.js byte for byte, which is what makes the browser install the new worker.
// QIANYUE_BUILD_ID (or --build-id) sets it explicitly.
//
// Also usable by hand on a built directory (the block is found again and replaced):
//   node scripts/precache.mjs dist [--build-id ID]
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const SW = 'sw.js';
const BLOCK = /\/\/ @precache-begin[^\n]*\n[\s\S]*?\/\/ @precache-end/;

function fail(message) {
  console.error(`precache: ${message}`);
  process.exit(1);
}

function parseArgs(argv) {
  const args = { dir: process.env.TRUNK_STAGING_DIR, buildId: process.env.QIANYUE_BUILD_ID };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--build-id') args.buildId = argv[++i];
    else if (argv[i].startsWith('--')) fail(`unknown option ${argv[i]}`);
    else args.dir = argv[i];
  }
  if (!args.dir) fail('no directory: run as a Trunk post_build hook or pass one (node scripts/precache.mjs dist)');
  if (args.buildId !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(args.buildId)) {
    fail('the build id must be 1–64 characters of A–Z a–z 0–9 . _ -');
  }
  return args;
}

/** Every file under `dir`, as paths relative to it with `/` separators, sorted. */
function files(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      if (name.startsWith('.')) continue; // Trunk's own .stage and the like
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

const { dir, buildId } = parseArgs(process.argv.slice(2));
const publicUrl = (process.env.TRUNK_PUBLIC_URL || '/').replace(/\/?$/, '/');
const all = files(dir);
if (!all.includes(SW)) fail(`${join(dir, SW)} is missing (index.html copies it: <link data-trunk rel="copy-file" href="sw.js"/>)`);
if (!all.includes('index.html')) fail(`${join(dir, 'index.html')} is missing`);

// Precompressed copies (the receiver's `.br`, `.gz` and `.dcb` beside each file, written on its
// first start) are the server's business; the worker itself is never precached.
const COMPRESSED = ['.br', '.gz', '.dcb'];
const shell = all.filter((f) => f !== SW && !COMPRESSED.some((ext) => f.endsWith(ext)));
const digest = createHash('sha256');
for (const f of shell) {
  digest.update(f).update('\0').update(createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')).update('\n');
}
const id = buildId ?? digest.digest('hex').slice(0, 16);
const urls = shell.map((f) => publicUrl + f);

const swPath = join(dir, SW);
const source = readFileSync(swPath, 'utf8');
if (!BLOCK.test(source)) fail(`${swPath} has no // @precache-begin … // @precache-end block`);
const block = [
  '// @precache-begin — written by scripts/precache.mjs after every Trunk build; do not edit.',
  `const BUILD_ID = ${JSON.stringify(id)};`,
  `const PRECACHE = ${JSON.stringify(urls, null, 2)};`,
  '// @precache-end',
].join('\n');
writeFileSync(swPath, source.replace(BLOCK, () => block));
console.log(`precache: build ${id}, ${urls.length} files → ${swPath}`);
