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
//      chunks' `producers` and `target_features` sections); the form's and the signing step's
//      parts and chunks merged into one file, `split_journey` (3b, then `-O3`); wasm-bindgen's
//      glue minified, the style sheets' comments and extra whitespace removed (3c); the
//      names between the main module and the glue made short, and wasm-streams' unused
//      classes dropped (3d); the functions of the main module and of `split_journey` in an
//      order that compresses (3f); the app's snippets inside the glue (3g);
//   4. the chunks and `__wasm_split.js` get content-hashed names (they are cached for a year,
//      like every hashed asset), the staged JS and wasm are replaced, and the Subresource
//      Integrity hashes in the staged index.html are brought up to date.
//
// Every output is a function of cargo's output, whose hash Trunk put in the main files' names,
// so a name never stands for two contents.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { minify } from 'terser';

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
const optimise = (file, extra = [], level = '-Oz') => run(wasmOpt, [level, ...FEATURES, ...extra, file, '-o', file]);
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

// 3b. The journey's two parts as one file (docs/decisions.md "Build"). wasm-split makes a
// chunk for every set of parts that shares code: the form came in 14 files and the signing
// step in 10, most under 2 KB, each a response's headers and a slot of a phone's six
// connections, and each compressed alone. The form's part, the signing step's part and every
// chunk either loads are merged into `split_journey.wasm`, which both parts' loaders load; a
// part that loaded one of those chunks loads it instead (it is fetched and instantiated
// once). Both parts are prefetched together in idle time and every signer needs both: one
// file compresses 9.5 KB smaller than two. The chunks install their functions into the shared
// table and their data into the shared memory at fixed places, and export nothing, so a
// merged file does exactly what its chunks did.
const binaryen = (tool) => (existsSync(`node_modules/.bin/${tool}`) ? `node_modules/.bin/${tool}` : tool);
// A module as text (`<file>.wat`, beside it), for the steps that rewrite it as text.
const disassemble = (file) => {
  run(binaryen('wasm-dis'), [...FEATURES, file, '-o', `${file}.wat`]);
  return readFileSync(`${file}.wat`, 'utf8');
};

// 3f. In a release build the functions of the main module and of the journey's file in an
// order that compresses: grouped by signature, then by their code with every name and number
// taken out, so that the many instantiations of one generic function, and functions written
// alike, sit side by side where brotli finds their likeness nearby. Nothing else changes:
// the text refers to functions by name, so indices follow, and wasm-opt then runs again at
// the file's level as before (the text assembler alone writes a looser code section). The
// main module 115,465 → 112,952 B brotli, the journey's file 179,536 → 176,409 (docs/bytes.md
// "Functions in an order that compresses"). wasm-as writes no `producers` or
// `target_features` section; no browser reads them, and every wasm-opt run here is told the
// features.
function compressionOrder(file, level, extra = []) {
  const wat = disassemble(file);
  const tops = [...wat.matchAll(/^ \(/gm)].map((m) => m.index);
  const end = wat.lastIndexOf(')');
  const items = tops.map((at, i) => wat.slice(at, i + 1 < tops.length ? tops[i + 1] : end));
  const first = items.findIndex((item) => item.startsWith(' (func '));
  if (first < 0) fail(`${file}: no function to order`);
  const signature = (item) => item.slice(0, item.indexOf('\n')).replace(/^ \(func \$\S+( \(type \$\d+\))?/, '');
  const shape = (item) => item.slice(item.indexOf('\n')).replace(/\$[\w.$-]+/g, '$').replace(/-?\d+/g, '0');
  const funcs = items.slice(first).filter((item) => item.startsWith(' (func '))
    .map((item) => ({ item, key: `${signature(item)}\u0000${shape(item)}` }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const rest = items.slice(first).filter((item) => !item.startsWith(' (func '));
  writeFileSync(`${file}.wat`, wat.slice(0, tops[first]) + funcs.map((f) => f.item).join('') + rest.join('') + wat.slice(end));
  run(binaryen('wasm-as'), [...FEATURES, `${file}.wat`, '-o', file]);
  rmSync(`${file}.wat`);
  optimise(file, extra, level);
}
let link = readFileSync(join(split, '__wasm_split.js'), 'utf8');
const CHUNK = /\/\* ([a-z_, ]+) \*\/\nconst (__chunk_\d+) = makeLoad\(\(\) => \{\n\s*const src = fetch\(new URL\("\.\/([^"]+)", import\.meta\.url\)\);[^]*?\n\}\n, \[\]\);\n/g;
const PART = (name) => new RegExp(`export const __wasm_split_load_${name} = wrapAsyncCb\\(makeLoad\\((\\(\\) => \\{\\n\\s*const src = fetch\\(new URL\\("\\./split_${name}\\.wasm"[^]*?\\n\\})\\n, \\[([^\\]]*)\\]\\)\\);\\n`);
const SHARED = ['memory', '__indirect_function_table', '__wasm_split_shared0'];
function merge(into, others) {
  // wasm-merge links modules through their imports and exports, and would give each chunk's
  // import of the shared memory, table and stack pointer a copy of its own; so the first
  // module exports them and the others import them from it.
  const base = disassemble(into).replace(/\)\s*$/, ` (export "qy_memory" (memory 0))
 (export "qy_table" (table 0))
 (export "qy_shared0" (global 0))
)
`);
  writeFileSync(`${into}.wat`, base);
  run(binaryen('wasm-as'), [...FEATURES, `${into}.wat`, '-o', `${into}.base.wasm`]);
  const inputs = [`${into}.base.wasm`, 'qy_base'];
  others.forEach((file, i) => {
    let wat = disassemble(file);
    for (const m of wat.matchAll(/\(import "([^"]*)" "([^"]*)"/g)) {
      if (m[1] !== '__wasm_split' || !SHARED.includes(m[2])) fail(`${file} imports ${m[1]}.${m[2]}`);
    }
    wat = wat
      .replace('(import "__wasm_split" "memory"', '(import "qy_base" "qy_memory"')
      .replace('(import "__wasm_split" "__indirect_function_table"', '(import "qy_base" "qy_table"')
      .replace('(import "__wasm_split" "__wasm_split_shared0"', '(import "qy_base" "qy_shared0"');
    writeFileSync(`${file}.wat`, wat);
    run(binaryen('wasm-as'), [...FEATURES, `${file}.wat`, '-o', `${file}.linked.wasm`]);
    inputs.push(`${file}.linked.wasm`, `qy_${i}`);
  });
  run(binaryen('wasm-merge'), [...FEATURES, ...inputs, '-o', into]);
  // -O3 rather than -Oz for the merged file: its inlining makes code that brotli compresses
  // better although it is larger raw (the form 97,527 → 94,564 B, the signing step 126,473 →
  // 125,155 B; docs/decisions.md "Build").
  if (profile === 'release') {
    optimise(into, CHUNK_STRIP, '-O3');
    compressionOrder(into, '-O3', CHUNK_STRIP);
  }
}
const chunkParts = [...link.matchAll(CHUNK)].map((m) => ({ text: m[0], parts: m[1].split(', '), ident: m[2], file: m[3] }));
const bundled = new Map(); // chunk identifier → the bundle that now holds it
const JOURNEY = ['form', 'signing'];
const journeyParts = JOURNEY.map((name) => {
  const part = link.match(PART(name));
  if (!part) fail(`__wasm_split.js has no loader of the ${name} part`);
  return part;
});
const members = chunkParts.filter((c) => c.parts.some((p) => JOURNEY.includes(p)));
merge(join(split, 'split_form.wasm'), [join(split, 'split_signing.wasm'), ...members.map((c) => join(split, c.file))]);
rmSync(join(split, 'split_signing.wasm'));
renameSync(join(split, 'split_form.wasm'), join(split, 'split_journey.wasm'));
chunks.splice(chunks.indexOf('split_signing.wasm'), 1);
chunks.splice(chunks.indexOf('split_form.wasm'), 1, 'split_journey.wasm');
for (const c of members) {
  bundled.set(c.ident, '__bundle_journey');
  link = link.replace(c.text, '');
  rmSync(join(split, c.file));
  chunks.splice(chunks.indexOf(c.file), 1);
}
const deps = journeyParts.flatMap((part) => part[2].split(', ').filter(Boolean)).map((d) => bundled.get(d) ?? d)
  .filter((d, i, all) => d !== '__bundle_journey' && all.indexOf(d) === i);
const fetchJourney = journeyParts[0][1].replace('"./split_form.wasm"', '"./split_journey.wasm"');
if (fetchJourney === journeyParts[0][1]) fail('the form part\'s loader does not fetch ./split_form.wasm');
const bundles = `const __bundle_journey = makeLoad(${fetchJourney}\n, [${deps.join(', ')}]);\n`;
JOURNEY.forEach((name, i) => {
  link = link.replace(journeyParts[i][0], `export const __wasm_split_load_${name} = wrapAsyncCb(__bundle_journey);\n`);
});
// Every other part loads the bundles instead of the chunks they hold.
link = link.replace(/, \[([^\]]*)\]\)\);\n/g, (_, deps) => `, [${deps.split(', ').filter(Boolean)
  .map((d) => bundled.get(d) ?? d).filter((d, i, all) => all.indexOf(d) === i).join(', ')}]));\n`);
const firstExport = link.indexOf('export const __wasm_split_load_');
link = link.slice(0, firstExport) + bundles + link.slice(firstExport);
for (const ident of bundled.keys()) {
  if (new RegExp(`\\b${ident}\\b`).test(link)) fail(`__wasm_split.js still names ${ident}`);
}

// 3d. In a release build the names between the main module and wasm-bindgen's glue get short.
// wasm-bindgen names each import `__wbg_<name>_<16 hex digits>` and the glue's module
// `./<out>_bg.js`, and exports each closure's entry point under its mangled Rust name (`_R…`,
// 100 to 170 characters with crate hashes): hashes no compressor can shorten, written twice (the
// wasm's import and export sections, and the glue), 6.9 KB of the first load's brotli bytes
// (docs/bytes.md "JSON read with the form's reader; short names…"). The names are an agreement
// between these two files only (the loader and the chunks use none of them); the two sections
// are rewritten in place (every other section byte for byte, so no index moves), and each name
// must be found in the glue as often as expected.
//
// Also dropped here: the three classes that wasm-streams (a dependency of Leptos's server
// functions, which this app has none of) exports for turning a Rust stream into a JS one. No
// code of ours makes such a stream and nothing in the glue constructs the classes, but as
// exports they kept their Rust code and their JavaScript in the first load (1.2 KB brotli).
function shortenNames(wasmPath, glue) {
  const bytes = readFileSync(wasmPath);
  let at = 8;
  const leb = () => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[at++];
      value += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) return value;
    }
  };
  const encode = (n) => {
    const out = [];
    do {
      const b = n & 0x7f;
      n = Math.floor(n / 128);
      out.push(n ? b | 0x80 : b);
    } while (n);
    return Buffer.from(out);
  };
  const name = (text) => { const b = Buffer.from(text, 'utf8'); return Buffer.concat([encode(b.length), b]); };
  const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const short = (i) => (i < ALPHABET.length ? ALPHABET[i] : short(Math.floor(i / ALPHABET.length) - 1) + ALPHABET[i % ALPHABET.length]);
  const HASHED = /^__wbg_\w+_[0-9a-f]{16}$/;
  const glueModule = `./${outName}_bg.js`;
  const renamed = new Map();
  // Every import from the glue's module that the glue names once (its key in the import object).
  const once = (field) => glue.split(field).length === 2;
  // The closures' entry points, by their mangled names (whole tokens in the glue).
  const MANGLED = /^_R[A-Za-z0-9_]+$/;
  const exported = new Map();
  const STREAMS = /^(__wbg_)?intounderlying(bytesource|sink|source)_/;
  let dropped = 0;
  glue = glue
    .replace(/^export class IntoUnderlying(ByteSource|Sink|Source) \{\n[^]*?\n\}\nif \(Symbol\.dispose\) IntoUnderlying\1\.prototype\[Symbol\.dispose\] = IntoUnderlying\1\.prototype\.free;\n/gm, '')
    .replace(/^const IntoUnderlying(ByteSource|Sink|Source)Finalization = [^;]*;\n/gm, '');
  if (/intounderlying/i.test(glue)) fail(`${outName}.js: wasm-streams' classes are not where they were`);
  const text = () => { const n = leb(); const t = bytes.toString('utf8', at, at + n); at += n; return t; };
  const out = [bytes.subarray(0, 8)];
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = leb();
    const end = at + size;
    if (id === 7) {
      const count = leb();
      const parts = [];
      while (at < end) {
        let field = text();
        const start = at;
        at++;
        leb();
        if (STREAMS.test(field)) {
          dropped++;
          continue;
        }
        if (MANGLED.test(field)) {
          exported.set(field, `r${short(exported.size)}`);
          field = exported.get(field);
        }
        parts.push(name(field), bytes.subarray(start, at));
      }
      const body = Buffer.concat([encode(count - dropped), ...parts]);
      out.push(Buffer.from([id]), encode(body.length), body);
      continue;
    }
    if (id !== 2) {
      out.push(Buffer.from([id]), encode(size), bytes.subarray(at, end));
      at = end;
      continue;
    }
    const parts = [encode(leb())];
    while (at < end) {
      const module = text();
      const field = text();
      // The import's description, copied: its kind, then a type index (function), a table's
      // type and limits, a memory's limits, or a global's type and mutability.
      const start = at;
      const kind = bytes[at++];
      if (kind === 0) leb();
      else if (kind === 1 || kind === 2) {
        if (kind === 1) at++;
        const flags = bytes[at++];
        leb();
        if (flags & 1) leb();
      } else if (kind === 3) at += 2;
      else fail(`${wasmPath}: import kind ${kind}`);
      let newField = field;
      if (module === glueModule && (HASHED.test(field) || once(field))) {
        if (!renamed.has(field)) renamed.set(field, short(renamed.size));
        newField = renamed.get(field);
      }
      parts.push(name(module === glueModule ? 'w' : module), name(newField), bytes.subarray(start, at));
    }
    if (at !== end) fail(`${wasmPath}: the import section did not read to its end`);
    const body = Buffer.concat(parts);
    out.push(Buffer.from([id]), encode(body.length), body);
  }
  for (const [long, brief] of renamed) {
    const uses = glue.split(long).length - 1;
    if (uses !== 1) fail(`${outName}.js names ${long} ${uses} times, not once`);
    glue = glue.replace(long, brief);
  }
  for (const [long, brief] of exported) {
    const token = new RegExp(`(?<![A-Za-z0-9_])${long}(?![A-Za-z0-9_])`, 'g');
    if (!token.test(glue)) fail(`${outName}.js does not call the export ${long}`);
    glue = glue.replace(token, brief);
  }
  if (dropped !== 13) fail(`${wasmPath}: ${dropped} of wasm-streams' 13 exports found`);
  const moduleKey = `"${glueModule}"`;
  if (!glue.includes(moduleKey)) fail(`${outName}.js has no import object for ${glueModule}`);
  writeFileSync(wasmPath, Buffer.concat(out));
  return glue.replaceAll(moduleKey, '"w"');
}

// 4. Hashed names, staged files, integrity.
for (const chunk of chunks) {
  const bytes = readFileSync(join(split, chunk));
  const hashed = `${chunk.slice(0, -'.wasm'.length)}-${hash16(bytes)}.wasm`;
  const reference = `"./${chunk}"`;
  if (!link.includes(reference)) fail(`__wasm_split.js does not load ${chunk}`);
  link = link.replaceAll(reference, `"./${hashed}"`);
  writeFileSync(join(staging, hashed), bytes);
}
// 3c. In a release build wasm-bindgen's glue, written here with the snippets it imports
// inside it (3g), is minified (Trunk's minifier never sees it): 14.7 → 10.6 KB brotli of the first load
// (docs/bytes.md "The bundles at -O3, the JavaScript minified…"). The loader is not:
// `cargo xtask bytes` and the embedding's benchmark read its comments and names.
const minified = async (text, file) => {
  if (profile !== 'release') return text;
  try {
    const out = await minify(text, { module: true, compress: true, mangle: true, format: { comments: false } });
    return out.code;
  } catch (e) {
    fail(`terser ${file}: ${e.message ?? e}`);
  }
};
const linkName = `__wasm_split-${hash16(link)}.js`;
writeFileSync(join(staging, linkName), link);

let js = readFileSync(join(bound, `${outName}.js`), 'utf8');
if (profile === 'release') {
  js = shortenNames(mainWasm, js);
  optimise(mainWasm); // what only the dropped exports used goes
  compressionOrder(mainWasm, '-Oz');
}
// 3g. In a release build the app's own JavaScript that the glue imports (src/takeover.js,
// src/embed/glue.js: wasm-bindgen's snippets) goes inside the glue: two responses fewer in the
// first load, and compressed with it (docs/decisions.md "Build"). Each snippet becomes a
// function scope that returns what it exported, in the order the imports were, before the
// glue's own code; the glue's imports of it become constants (the import object's keys, the
// module names the wasm imports, stay as they are). A snippet may only export functions and
// import nothing; its `import.meta.url` is then the glue's, on the same origin, which is all
// it resolves against (an absolute path).
function inlineSnippets(glue) {
  const IMPORT = /^import (\{[^}]*\}|\* as (\w+)) from (['"])\.\/(snippets\/[^'"]+\.js)\3;?\n/gm;
  const imports = [...glue.matchAll(IMPORT)];
  const files = [...new Set(imports.map((m) => m[4]))];
  if (files.length === 0) return { glue, inlined: [] };
  const scopes = files.map((file, i) => {
    const source = readFileSync(join(bound, file), 'utf8');
    const names = [...source.matchAll(/^export function (\w+)\b/gm)].map((m) => m[1]);
    const body = source.replace(/^export function /gm, 'function ');
    if (/^\s*(export|import)\b/m.test(body)) fail(`${file}: exports other than functions, or imports`);
    return `const __snippet${i} = (() => {\n${body}\nreturn { ${names.join(', ')} };\n})();\n`;
  });
  let rest = glue;
  for (const [line, what, star, , file] of imports) {
    const scope = `__snippet${files.indexOf(file)}`;
    const binding = star ?? `{ ${what.slice(1, -1).split(',').map((n) => n.trim()).filter(Boolean)
      .map((n) => n.replace(/^(\w+) as (\w+)$/, '$1: $2')).join(', ')} }`;
    rest = rest.replace(line, `const ${binding} = ${scope};\n`);
  }
  if (/from\s*['"]\.\/snippets\//.test(rest)) fail(`${outName}.js imports a snippet this step did not read`);
  return { glue: scopes.join('') + rest, inlined: files };
}
let inlined = [];
if (profile === 'release') ({ glue: js, inlined } = inlineSnippets(js));
// Only the module specifiers: the import object's keys must keep the name the wasm imports.
const linkImport = /(from\s*)(['"])\.\/__wasm_split\.js\2/g;
if (!linkImport.test(js)) fail(`${outName}.js does not import ./__wasm_split.js`);
js = js.replace(linkImport, `$1'./${linkName}'`);
writeFileSync(join(staging, stagedJs), await minified(js, stagedJs));
copyFileSync(mainWasm, join(staging, `${outName}_bg.wasm`));
// The app's own JavaScript that the glue imports (src/takeover.js, src/embed/glue.js):
// inside the glue in a release build (3g), files of their own otherwise, which index.html
// preloads (Trunk's `modulepreload`).
if (inlined.length > 0) {
  // Inlined above (3g): neither the files nor their preloads.
  let page = readFileSync(join(staging, 'index.html'), 'utf8');
  for (const file of inlined) {
    const preload = new RegExp(`<link rel="modulepreload" href="[^"]*/${file.replace(/[.]/g, '\\.')}"[^>]*>\n?`);
    if (!preload.test(page)) fail(`index.html does not preload ${file}`);
    page = page.replace(preload, '');
  }
  writeFileSync(join(staging, 'index.html'), page);
  rmSync(join(staging, 'snippets'), { recursive: true, force: true });
} else if (existsSync(join(bound, 'snippets'))) {
  cpSync(join(bound, 'snippets'), join(staging, 'snippets'), { recursive: true });
}

// And the style sheets: their comments (written for the sources' readers) and runs of
// whitespace go, 5.6 → 4.2 KB brotli of the first load. Quoted strings are copied as they
// are, and nothing else changes, so no rule can change meaning.
function minifiedCss(css) {
  let out = '';
  let at = 0;
  while (at < css.length) {
    const c = css[at];
    if (c === '"' || c === "'") {
      let end = at + 1;
      while (end < css.length && css[end] !== c) end += css[end] === '\\' ? 2 : 1;
      out += css.slice(at, end + 1);
      at = end + 1;
    } else if (css.startsWith('/*', at)) {
      const end = css.indexOf('*/', at + 2);
      at = end < 0 ? css.length : end + 2;
      // A comment between two tokens separates them; removed, it would join them.
      if (at < css.length && !/\s/.test(css[at])) fail(`a style sheet's comment is not followed by whitespace: ${css.slice(at, at + 40)}`);
    } else if (/\s/.test(c)) {
      while (at < css.length && /\s/.test(css[at])) at++;
      if (out && !out.endsWith(' ')) out += ' ';
    } else {
      out += c;
      at++;
    }
  }
  return out.trim();
}
if (profile === 'release') {
  for (const file of readdirSync(staging).filter((f) => f.endsWith('.css'))) {
    const path = join(staging, file);
    writeFileSync(path, minifiedCss(readFileSync(path, 'utf8')));
  }
}

// 3e. The style sheets as one file, in the order index.html links them (so the cascade is
// the same): one response instead of four in the first load, and compressed as one (4,220 →
// 3,435 B brotli; docs/decisions.md "Build"). The sources stay four files, one per part of
// the page. embed-files.mjs, run after this, hands the portal's embedding the one file.
const sheetTag = /<link rel="stylesheet" href="([^"]*\/)([^"/]+\.css)"[^>]*\/>\n?/g;
let page = readFileSync(join(staging, 'index.html'), 'utf8');
const sheets = [...page.matchAll(sheetTag)];
if (sheets.length < 2) fail(`index.html links ${sheets.length} style sheet(s), not the four of style/`);
const styles = sheets.map(([, , file]) => readFileSync(join(staging, file), 'utf8')).join('\n');
const styleName = `style-${hash16(styles)}.css`;
writeFileSync(join(staging, styleName), styles);
for (const [tag, , file] of sheets) {
  rmSync(join(staging, file));
  page = page.replace(tag, tag === sheets[0][0]
    ? `<link rel="stylesheet" href="${sheets[0][1]}${styleName}" integrity="sha384-pending"/>\n` : '');
}
writeFileSync(join(staging, 'index.html'), page);

updateIntegrity([stagedJs, `${outName}_bg.wasm`, styleName]);

console.log(`split: ${outName} + ${chunks.length} deferred chunk(s) (${chunks.join(', ')})`);
