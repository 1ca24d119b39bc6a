// The part of Qianyue's embedding that has to be JavaScript: the <qianyue-consent> element class
// with its shadow root and stylesheet, DOM events, and the frame's messages and height.
// Imported by the app's wasm-bindgen bindings (src/embed/glue.rs); the Rust side decides
// everything else. docs/embedding.md is the reference for hosts.

// Set by embed.js (the loader a host page includes) before it starts the app.
const MARK = Symbol.for("qianyue.embed");
const TAG = "qianyue-consent";
const ATTRIBUTES = ["endpoint", "locale", "agreement", "agreement-version", "readonly", "prefill", "request"];

/** "element" when a host page loaded the app through embed.js, "frame" for `?embed=iframe`. */
export function pageMode() {
  if (globalThis[MARK]) return "element";
  return new URLSearchParams(location.search).get("embed") === "iframe" ? "frame" : "standalone";
}

// The shadow root's own base: the host page's inherited properties (font, colour, line height,
// letter spacing…) stop at .qy-root; custom properties (the theme) still come through.
const BASE = `
:host { display: block; --qy-font-size: 16px; }
:host([hidden]) { display: none; }
.qy-root {
  all: initial;
  display: block;
  box-sizing: border-box;
  font-family: var(--qy-font);
  font-size: var(--qy-font-size, 16px);
  line-height: 1.6;
  color: var(--qy-fg);
  background: var(--qy-bg);
  text-align: start;
}
.qy-embed-error { margin: 0; padding: var(--qy-space, 1rem); color: var(--qy-error); }
`;

/**
 * The app's stylesheet as it must be inside a shadow root: `:root` is the host there, and `rem`
 * (the host page's root font size, which the host may change) becomes --qy-font-size.
 * Media queries keep `rem`: there it is the browser's default size, not the page's.
 */
export function forShadow(css) {
  return css
    .replace(/:root\b/g, ":host")
    .replace(/(@media[^{]*)|(^|[^\w.#-])(-?(?:\d+\.?\d*|\.\d+))rem\b/g, (_, media, before, n) =>
      media !== undefined ? media : `${before}calc(${n} * var(--qy-font-size, 16px))`);
}

// This module is imported on every page of the app, the app's own included: it keeps to syntax
// that older engines parse (no private or static class fields, no look-behind).
const PREFILL = new WeakMap();
const STATE = new WeakMap(); // element → {id, container}

/**
 * Defines <qianyue-consent>. `connect(element, container, fresh)` mounts an instance into the
 * container inside the element's shadow root and returns its id; `disconnect(id)` unmounts it;
 * `update(id, element)` applies a new `locale` or `endpoint` without restarting the journey.
 */
export function defineElement(connect, disconnect, update) {
  if (customElements.get(TAG)) return;
  const mark = globalThis[MARK] || {};
  const css = BASE + (mark.styles || []).map(forShadow).join("\n");
  // One constructed sheet shared by every instance; a <style> per instance where browsers lack
  // constructable stylesheets.
  let sheet = null;
  try {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
  } catch {
    sheet = null;
  }

  const unmount = (element) => {
    const state = STATE.get(element);
    const id = state.id;
    state.id = 0;
    if (id) disconnect(id);
    state.container.replaceChildren();
  };
  const remount = (element) => {
    unmount(element);
    const state = STATE.get(element);
    if (element.isConnected) state.id = connect(element, state.container, false);
  };

  class QianyueConsent extends HTMLElement {
    static get observedAttributes() {
      return ATTRIBUTES;
    }

    constructor() {
      super();
      const root = this.attachShadow({ mode: "open" });
      if (sheet && "adoptedStyleSheets" in root) {
        root.adoptedStyleSheets = [sheet];
      } else {
        const style = document.createElement("style");
        style.textContent = css;
        root.append(style);
      }
      const container = document.createElement("div");
      container.className = "qy-root";
      root.append(container);
      STATE.set(this, { id: 0, container });
      // A prefill set before the element was defined is an own property hiding the setter.
      if (Object.prototype.hasOwnProperty.call(this, "prefill")) {
        const value = this.prefill;
        delete this.prefill;
        this.prefill = value;
      }
    }

    connectedCallback() {
      const state = STATE.get(this);
      if (!state.id) state.id = connect(this, state.container, true);
    }

    disconnectedCallback() {
      // Moving the element (removed and inserted in one task) keeps the journey.
      queueMicrotask(() => {
        if (!this.isConnected) unmount(this);
      });
    }

    attributeChangedCallback(name, before, after) {
      const state = STATE.get(this);
      if (!state || !state.id || before === after) return;
      if (name === "locale" || name === "endpoint") update(state.id, this);
      else remount(this);
    }

    /** The prefill as set (an object in the contract's form shape, or its JSON text). */
    get prefill() {
      const value = PREFILL.get(this);
      return value === undefined ? null : value;
    }

    set prefill(value) {
      PREFILL.set(this, value);
      const state = STATE.get(this);
      if (state && state.id) remount(this);
    }
  }

  customElements.define(TAG, QianyueConsent);
}

/** The element's prefill as JSON text: the property if set, else the `prefill` attribute. */
export function prefillOf(element) {
  const value = PREFILL.get(element);
  if (value !== undefined && value !== null) {
    return typeof value === "string" ? value : JSON.stringify(value);
  }
  const attribute = element.getAttribute("prefill");
  return attribute === null ? undefined : attribute;
}

/**
 * Where the element's consents go: its `endpoint` attribute (resolved against the host page),
 * else `fallback` on the origin the app was loaded from.
 */
export function endpointOf(element, fallback) {
  const own = new URL(fallback, import.meta.url).href;
  const value = element.getAttribute("endpoint");
  if (!value || !value.trim()) return own;
  try {
    return new URL(value.trim(), document.baseURI).href;
  } catch {
    return own;
  }
}

/** A CustomEvent that bubbles and crosses shadow boundaries, from inside the shadow root. */
export function dispatch(target, name, detailJson) {
  target.dispatchEvent(
    new CustomEvent(name, { detail: JSON.parse(detailJson), bubbles: true, composed: true }),
  );
}

export function ownOrigin() {
  return location.origin;
}

/** The parent page's origin as the browser reports it, if it does. */
export function parentOrigin() {
  if (window.parent === window) return undefined;
  const ancestors = location.ancestorOrigins;
  if (ancestors && ancestors.length > 0) return ancestors[0];
  try {
    return document.referrer ? new URL(document.referrer).origin : undefined;
  } catch {
    return undefined;
  }
}

/** Calls `deliver(origin, json)` for each message the parent window sends (only the parent). */
export function listenToParent(deliver) {
  addEventListener("message", (event) => {
    if (window.parent === window || event.source !== window.parent) return;
    let json;
    try {
      json = JSON.stringify(event.data);
    } catch {
      return;
    }
    deliver(event.origin, json === undefined ? "null" : json);
  });
}

/** Posts to the parent, to `origin` only. */
export function postToParent(origin, json) {
  if (window.parent !== window) window.parent.postMessage(JSON.parse(json), origin);
}

/**
 * Sets a theme custom property on the frame's page (CSSOM: allowed by a strict CSP). The page is
 * a document of its own, so its `rem` is its root font size: --qy-font-size sets that.
 */
export function setThemeProperty(name, value) {
  const root = document.documentElement.style;
  root.setProperty(name, value);
  if (name === "--qy-font-size") root.setProperty("font-size", value);
}

/** Calls `report(height)` with the document's height in CSS pixels whenever it changes. */
export function observeHeight(report) {
  const root = document.documentElement;
  let last = -1;
  new ResizeObserver(() => {
    const height = Math.ceil(root.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      report(height);
    }
  }).observe(root);
}
