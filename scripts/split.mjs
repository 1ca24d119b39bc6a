// Splits the app's wasm into the first-load module and the deferred chunks (src/deferred.rs),
// then writes the precache list (scripts/precache.mjs).
//
// Run by Trunk after each build (Trunk.toml `[[hooks]] stage = "post_build"`; index.html turns
// Trunk's own wasm-opt off, this script runs it). Trunk has by then run cargo (`cargo xtask
// build` passes `--features split`, so the linker kept its relocations) and wasm-bindgen, and
// staged `qianyue-<hash>.js` and `qianyue-<hash>_bg.wasm`, named after the hash of cargo's
// output. This script starts again from cargo's output:
//
//   1. `wasm-split-cli` cuts it at the `deferred!` functions: a main module, one chunk per
//      deferred part (plus chunks for code two parts share) and `__wasm_split.js`, which loads
//      a chunk the first time one of its functions is called;
//   2. `wasm-bindgen --keep-lld-exports` makes the main module's JS (the chunks share its
//      memory and function table, which the main module must therefore keep exporting);
//   3. in a release build, `wasm-opt -Oz` on the main module and on every chunk (stripping the
//      chunks' `producers` and `target_features` sections);
//   4. the chunks and `__wasm_split.js` get content-hashed names (they are cached for a year,
//      like every hashed asset), the staged JS and wasm are replaced, and the Subresource
//      Integrity hashes in the staged index.html are brought up to date.
//
// Every output is a function of cargo's output, whose hash Trunk put in the main files' names,
// so a name never stands for two contents.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const APP = 'qianyue';
// rustc's default wasm32 features, which the main module declares; chunks do not carry the
// declaration, so wasm-opt is told.
const FEATURES = ['--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue'];

function fail(message) {
  console.error(`split: ${message}`);
  process.exit(1);
}

function run(tool, args) {
  try {
    execFileSync(tool, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (e) {
    fail(`${tool} ${args.join(' ')}: ${e.message}`);
  }
}

const hash16 = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);
const sri = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

const staging = process.env.TRUNK_STAGING_DIR || fail('run as a Trunk post_build hook (TRUNK_STAGING_DIR)');
const profile = process.env.TRUNK_PROFILE === 'release' ? 'release' : 'debug';
const targetDir = process.env.CARGO_TARGET_DIR || 'target';
const input = join(targetDir, 'wasm32-unknown-unknown', profile, `${APP}.wasm`);
if (!existsSync(input)) fail(`no ${input}: did cargo build the app?`);

const stagedJs = readdirSync(staging).find((f) => new RegExp(`^${APP}-[0-9a-f]+\\.js$`).test(f));
if (!stagedJs) fail(`no ${APP}-<hash>.js in ${staging}`);
const outName = stagedJs.slice(0, -'.js'.length);

// 3. (and 4.) wasm-opt -Oz, in place; the staged index.html's integrity for the staged files.
const wasmOpt = existsSync('node_modules/.bin/wasm-opt') ? 'node_modules/.bin/wasm-opt' : 'wasm-opt';
const optimise = (file, extra = []) => run(wasmOpt, ['-Oz', ...FEATURES, ...extra, file, '-o', file]);
// A chunk's `producers` and `target_features` sections are read by no browser (the main module
// keeps its features: notes on the toolchain), and each chunk would repeat them.
const CHUNK_STRIP = ['--strip-producers', '--strip-target-features'];
function updateIntegrity(names) {
  const htmlPath = join(staging, 'index.html');
  let html = readFileSync(htmlPath, 'utf8');
  for (const name of names) {
    const tag = new RegExp(`(href="[^"]*/${name.replace(/\./g, '\\.')}"[^>]*integrity=")sha384-[^"]+"`);
    if (!tag.test(html)) fail(`index.html has no integrity for ${name}`);
    html = html.replace(tag, `$1${sri(readFileSync(join(staging, name)))}"`);
  }
  writeFileSync(htmlPath, html);
}

// A build without `--features split` (`trunk build` or `trunk serve` by hand) has no split
// point: it stays one module, optimised here in a release build as Trunk would have.
if (!readFileSync(input).includes('__wasm_split_placeholder__')) {
  if (profile === 'release') {
    optimise(join(staging, `${outName}_bg.wasm`));
    updateIntegrity([`${outName}_bg.wasm`]);
  }
  console.log(`split: ${outName} has no deferred part (built without --features split): one module`);
  process.exit(0);
}

const work = join(targetDir, 'wasm-split', profile);
rmSync(work, { recursive: true, force: true });
const split = join(work, 'split');
const bound = join(work, 'bound');
mkdirSync(split, { recursive: true });

// 1. Split.
run('wasm-split-cli', [input, split, '--out-name', outName]);
const chunks = readdirSync(split).filter((f) => f.endsWith('.wasm') && f !== `${outName}.wasm`);
if (chunks.length === 0) fail('no deferred chunk came out of a build with split points');

// 2. Bindings for the main module.
run('wasm-bindgen', ['--target=web', '--keep-lld-exports', '--no-demangle', '--no-typescript',
  `--out-name=${outName}`, `--out-dir=${bound}`, join(split, `${outName}.wasm`)]);

// 3. Optimise (binaryen from npm, as for Trunk: Debian's wasm-opt 108 breaks the module).
const mainWasm = join(bound, `${outName}_bg.wasm`);
if (profile === 'release') {
  optimise(mainWasm);
  for (const chunk of chunks) optimise(join(split, chunk), CHUNK_STRIP);
}

// 4. Hashed names, staged files, integrity.
let link = readFileSync(join(split, '__wasm_split.js'), 'utf8');
for (const chunk of chunks) {
  const bytes = readFileSync(join(split, chunk));
  const hashed = `${chunk.slice(0, -'.wasm'.length)}-${hash16(bytes)}.wasm`;
  const reference = `"./${chunk}"`;
  if (!link.includes(reference)) fail(`__wasm_split.js does not load ${chunk}`);
  link = link.replaceAll(reference, `"./${hashed}"`);
  writeFileSync(join(staging, hashed), bytes);
}
const linkName = `__wasm_split-${hash16(link)}.js`;
writeFileSync(join(staging, linkName), link);

let js = readFileSync(join(bound, `${outName}.js`), 'utf8');
// Only the module specifiers: the import object's keys must keep the name the wasm imports.
const linkImport = /(from\s*)(['"])\.\/__wasm_split\.js\2/g;
if (!linkImport.test(js)) fail(`${outName}.js does not import ./__wasm_split.js`);
js = js.replace(linkImport, `$1'./${linkName}'`);
writeFileSync(join(staging, stagedJs), js);
copyFileSync(mainWasm, join(staging, `${outName}_bg.wasm`));
if (existsSync(join(bound, 'snippets'))) cpSync(join(bound, 'snippets'), join(staging, 'snippets'), { recursive: true });

updateIntegrity([stagedJs, `${outName}_bg.wasm`]);

console.log(`split: ${outName} + ${chunks.length} deferred chunk(s) (${chunks.join(', ')})`);
