// Qianyue's embed loader: the one stable URL a host page includes to get <qianyue-consent>.
//
//   <script type="module" src="https://qianyue.example.com/embed.js"></script>
//
// Trunk gives the app's files content-hashed names that change with every build, so this file
// (copied unhashed into dist/) reads the build's list of them, `embed-files.html` next to it
// (the staged index.html's links to them, written by scripts/embed-files.mjs), to learn them:
// the wasm-bindgen module, the wasm (checked against its Subresource Integrity hash) and the
// stylesheets, which go into each element's shadow root; and the agreement's Chinese text,
// which the app reads from the page that loads it and checks against its content hashes. It then starts the app, which sees
// the mark below and defines the element instead of mounting a page. docs/embedding.md.
//
// The host page must be allowed to load these files (the app's server answers CORS requests
// from the allowed origins) and, under a Content-Security-Policy, to run them (script-src with
// the app's origin and 'wasm-unsafe-eval'; connect-src with the app's origin).

const MARK = Symbol.for("qianyue.embed");

async function load() {
  const here = new URL(".", import.meta.url);
  const response = await fetch(new URL("embed-files.html", here), { cache: "no-cache" });
  if (!response.ok) throw new Error(`cannot read ${response.url}: ${response.status}`);
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const href = (link) => new URL(link.getAttribute("href"), here).href;
  const integrity = (link) => link.getAttribute("integrity") || undefined;

  const module = [...page.querySelectorAll('link[rel="modulepreload"]')].find(
    (link) => !new URL(href(link)).pathname.includes("/snippets/"),
  );
  const wasm = page.querySelector('link[rel="preload"][type="application/wasm"]');
  if (!module || !wasm) throw new Error("the app's embed-files.html names no wasm-bindgen module or wasm");

  const styles = Promise.all(
    [...page.querySelectorAll('link[rel="stylesheet"]')].map(async (link) => {
      const css = await fetch(href(link), { integrity: integrity(link) });
      if (!css.ok) throw new Error(`cannot read ${css.url}: ${css.status}`);
      return css.text();
    }),
  );
  const [bindings, css] = await Promise.all([import(href(module)), styles]);
  const texts = {};
  for (const script of page.querySelectorAll('script[type="text/plain"][data-qianyue-text]')) {
    texts[script.getAttribute("data-qianyue-text")] = script.textContent;
  }
  globalThis[MARK] = { styles: css, texts };
  await bindings.default({ module_or_path: fetch(href(wasm), { integrity: integrity(wasm) }) });
}

if (!globalThis[MARK]) {
  globalThis[MARK] = { loading: true };
  try {
    await load();
  } catch (error) {
    delete globalThis[MARK];
    console.error("qianyue: the app could not be loaded:", error);
    throw error;
  }
}
