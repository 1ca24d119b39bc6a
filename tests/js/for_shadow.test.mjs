// `forShadow` (src/embed/glue.js): the app's stylesheet as the <qianyue-consent> element's shadow
// root needs it (docs/embedding.md): `:root` becomes `:host`, and a length in `rem` (the host
// page's root font size) becomes a multiple of --qy-font-size, except in media queries.
//
// Run: node --test tests/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const read = (path) => readFileSync(new URL(path, root), 'utf8');

// glue.js is an ES module in a package without "type": "module"; imported from its text, Node
// does not have to guess (and warn about) its module type. It imports nothing.
const glue = read('src/embed/glue.js');
const { forShadow } = await import(`data:text/javascript;base64,${Buffer.from(glue).toString('base64')}`);

const SIZE = 'var(--qy-font-size, 16px)';

test(':root becomes :host', () => {
  assert.equal(forShadow(':root { --qy-fg: #111; }'), ':host { --qy-fg: #111; }');
  assert.equal(
    forShadow(':root, :root[data-theme="dark"] { color: red; }'),
    ':host, :host[data-theme="dark"] { color: red; }',
  );
});

test('a length in rem becomes a multiple of the element font size', () => {
  assert.equal(forShadow('p { margin: 1rem; }'), `p { margin: calc(1 * ${SIZE}); }`);
  assert.equal(
    forShadow('p { padding: 0.5rem 1.25rem; }'),
    `p { padding: calc(0.5 * ${SIZE}) calc(1.25 * ${SIZE}); }`,
  );
  assert.equal(forShadow('p{gap:.75rem}'), `p{gap:calc(.75 * ${SIZE})}`);
  assert.equal(forShadow('p { margin-top: -2rem; }'), `p { margin-top: calc(-2 * ${SIZE}); }`);
  assert.equal(forShadow('p { width: calc(100% - 3rem); }'), `p { width: calc(100% - calc(3 * ${SIZE})); }`);
  assert.equal(forShadow('2rem'), `calc(2 * ${SIZE})`, 'at the very start of the text');
});

test('media queries keep rem: there it is the browser default, not the page', () => {
  assert.equal(
    forShadow('@media (min-width: 40rem) { p { margin: 1rem; } }'),
    `@media (min-width: 40rem) { p { margin: calc(1 * ${SIZE}); } }`,
  );
  assert.equal(
    forShadow('@media screen and (max-width: 30.5rem) and (min-width: 20rem){a{b:2rem}}'),
    `@media screen and (max-width: 30.5rem) and (min-width: 20rem){a{b:calc(2 * ${SIZE})}}`,
  );
});

test('what only looks like rem is left alone', () => {
  for (const css of [
    'p { margin: 1em; }', // em, not rem
    'p { margin: 1px; }',
    '.x2rem { color: red; }', // part of a class name
    '#a1rem { color: red; }', // part of an id
    'p { --gap-2rem: 1px; }', // part of a custom property's name
    'p { width: var(--w-1rem); }',
    'p { animation: remove 1s; }',
    'p { margin: 1remx; }',
  ]) {
    assert.equal(forShadow(css), css);
  }
});

test('the app\'s own stylesheets keep no rem and no :root outside media queries', () => {
  const dir = new URL('style/', root);
  const sheets = readdirSync(dir).filter((f) => f.endsWith('.css'));
  assert.ok(sheets.length > 0, 'style/*.css found');
  let converted = 0;
  for (const sheet of sheets) {
    const css = readFileSync(new URL(sheet, dir), 'utf8');
    const shadow = forShadow(css);
    converted += shadow.split(`* ${SIZE})`).length - 1;
    const outsideMedia = shadow.replace(/@media[^{]*/g, '');
    assert.doesNotMatch(outsideMedia, /\d\s*rem\b/, `${sheet}: a rem length left as it was`);
    assert.doesNotMatch(shadow, /:root\b/, `${sheet}: a :root left as it was`);
  }
  assert.ok(converted > 0, 'the stylesheets have rem lengths to convert');
});
