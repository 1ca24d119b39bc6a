// The app taking over the page rendered at build time: src/takeover.rs says how and why.
// (Comments kept short here: this file is part of the first load as it is.)

const PRERENDERED = 'qianyue-prerendered';

// Taps on the old markup, to replay on the new: selectors, in order.
const pending = [];

function holder() {
  return document.getElementById(PRERENDERED);
}

document.addEventListener('click', (event) => {
  const old = holder();
  const target = event.target instanceof Element ? event.target : null;
  if (!old || !target || !old.contains(target)) return;
  const locale = target.closest('[data-locale]');
  const link = target.closest('a[href^="#"]');
  if (locale) {
    pending.push(`[data-locale="${locale.getAttribute('data-locale')}"]`);
  } else if (link && link.classList.contains('to-signing')) {
    event.preventDefault();
    pending.push('.to-signing');
  } else if (link) {
    event.preventDefault();
    const row = old.querySelector(`[id="${link.getAttribute('href').slice(1)}"]`);
    if (row) {
      row.scrollIntoView();
      row.focus({ preventScroll: true });
    }
  }
}, true);

// The hidden element the app mounts into, beside the old markup (null: no old markup).
export function appHolder() {
  const old = holder();
  if (!old) return null;
  const fresh = document.createElement('div');
  fresh.id = 'qianyue-app';
  fresh.hidden = true;
  old.after(fresh);
  return fresh;
}

// Swaps the markup as soon as the app's page (its <main>) is in `fresh`.
export function takeOver(fresh) {
  if (fresh.querySelector('main')) {
    swap(fresh);
    return;
  }
  const watch = new MutationObserver(() => {
    if (fresh.querySelector('main')) {
      watch.disconnect();
      swap(fresh);
    }
  });
  watch.observe(fresh, { childList: true, subtree: true });
}

function swap(fresh) {
  const old = holder();
  if (!old) {
    fresh.hidden = false;
    return;
  }
  const x = window.scrollX;
  const y = window.scrollY;
  const anchor = topRow(old);
  const selection = document.getSelection();
  const range = selection && selection.rangeCount > 0 ? selection.getRangeAt(0) : null;
  const marks = range && old.contains(range.commonAncestorContainer)
    ? [point(old, range.startContainer, range.startOffset), point(old, range.endContainer, range.endOffset)]
    : null;
  const focused = old.contains(document.activeElement) ? pathOf(old, document.activeElement) : null;
  const opened = [...old.querySelectorAll('details')].map((d) => d.open);

  old.remove();
  fresh.hidden = false;
  fresh.querySelectorAll('details').forEach((d, i) => {
    if (i < opened.length) d.open = opened[i];
  });
  window.scrollTo(x, y);
  // Values the app brings (a prefill's product lines) can lengthen the page above: the row at
  // the top of the screen stays where it was.
  const again = anchor && fresh.querySelector(`[id="${anchor.id}"]`);
  if (again) window.scrollBy(0, again.getBoundingClientRect().top - anchor.top);
  if (marks) {
    const start = place(fresh, marks[0]);
    const end = place(fresh, marks[1]);
    if (start && end) {
      const range = document.createRange();
      range.setStart(start.node, start.offset);
      range.setEnd(end.node, end.offset);
      selection.removeAllRanges();
      selection.addRange(range);
    }
  }
  if (focused) {
    const el = elementAt(fresh, focused);
    if (el && typeof el.focus === 'function') el.focus({ preventScroll: true });
  }
  for (const selector of pending.splice(0)) {
    const el = fresh.querySelector(selector);
    if (el) el.click();
  }
}

// The first row with an id whose bottom is on screen, and where its top is.
function topRow(root) {
  for (const el of root.querySelectorAll('[id]')) {
    const box = el.getBoundingClientRect();
    if (box.height > 0 && box.bottom > 0) return { id: el.id, top: box.top };
  }
  return null;
}

// An element as (the id of its nearest ancestor with one, the path of child indices from
// there), and a point as that and characters into the element's text: the same in both copies,
// whose text may be split into nodes differently and whose rows may differ elsewhere.

function pathOf(root, el) {
  const path = [];
  let at = el;
  for (; at && at !== root && !at.id; at = at.parentElement) {
    path.unshift(Array.prototype.indexOf.call(at.parentElement.children, at));
  }
  return { id: at && at !== root ? at.id : null, path };
}

function elementAt(root, { id, path }) {
  let at = id ? root.querySelector(`[id="${id}"]`) : root;
  for (const i of path) {
    at = at && at.children[i];
  }
  return at || null;
}

function textBefore(el, node, offset) {
  const range = document.createRange();
  range.setStart(el, 0);
  range.setEnd(node, offset);
  return range.toString().length;
}

function point(root, node, offset) {
  const el = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  return { at: pathOf(root, el), chars: textBefore(el, node, offset) };
}

function place(root, { at, chars }) {
  const el = elementAt(root, at);
  if (!el) return null;
  const texts = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  let left = chars;
  let last = null;
  for (let t = texts.nextNode(); t; t = texts.nextNode()) {
    if (left <= t.length) return { node: t, offset: left };
    left -= t.length;
    last = t;
  }
  return last ? { node: last, offset: last.length } : { node: el, offset: 0 };
}

// Removes the old markup (a mode that shows another page).
export function discard() {
  const old = holder();
  if (old) old.remove();
}

// The agreement's Chinese text of one part as the served page carries it (src/prerender.rs,
// `served_texts`), or as embed.js read it from embed-files.html; '' when neither has it.
export function servedText(part) {
  const texts = (globalThis[Symbol.for('qianyue.embed')] || {}).texts;
  if (texts && typeof texts[part] === 'string') return texts[part];
  const script = document.querySelector(`script[type="text/plain"][data-qianyue-text="${part}"]`);
  return script ? script.textContent : '';
}
