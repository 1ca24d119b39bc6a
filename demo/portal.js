// The demo portal's script: what a carrier portal writes to embed Qianyue (docs/embedding.md).
// The app's origin comes from ?app= (default http://127.0.0.1:8080, where `cargo xtask serve`
// serves it); this page must be on another origin, as the real portal is.

const params = new URLSearchParams(location.search);
const app = new URL(params.get("app") || "http://127.0.0.1:8080");
const THEME = ["--qy-font", "--qy-fg", "--qy-bg", "--qy-accent", "--qy-error", "--qy-muted",
  "--qy-radius", "--qy-space", "--qy-font-size"];
const READONLY = ["contract_no", "customer.group_name", "customer.group_code"];

// The order as the portal knows it, in the contract's form shape (synthetic personal data).
const ORDER = {
  contract_no: "75523040460309832023040617",
  customer: {
    group_name: "深圳特发东智科技有限公司", group_code: "2002692004", org_type: "1.2 企业法人",
    office_address: "深圳市龙岗区龙岗街道宝龙社区宝龙二路3号京能工业园科研楼",
    cert_type: "企业法人营业执照", cert_number: "91440300758613572G",
    industry: "3.9 电气机械及器材制造业", employees: 10, phone: "18812345678",
  },
  contact: { name: "张晓梅", mobile: "13800138000", email: "13800138000@139.com" },
  admin: { name: "王建国", mobile: "13912345678", email: "13912345678@139.com" },
  orders: [
    { sub_order_no: "7552304046004915", product_name: "互联网专线", product_number: "30221115150",
      business_type: "预约销户", reason: "客户倒闭或搬迁", channel: "客户经理", remarks: "/" },
  ],
};

const element = document.getElementById("consent-element");
const frame = document.getElementById("consent-frame");
const theme = document.getElementById("theme");
const locale = document.getElementById("locale");
const prefill = document.getElementById("prefill");
const list = document.getElementById("log");

function log(source, type, detail) {
  const item = document.createElement("li");
  item.textContent = `${source} · ${type} ${JSON.stringify(detail ?? {})}`;
  item.dataset.source = source;
  item.dataset.type = type;
  list.prepend(item);
}

// 1 · The custom element: attributes and the prefill property in, DOM events out.
for (const type of ["qianyue-ready", "qianyue-change", "qianyue-submitted", "qianyue-error"]) {
  element.addEventListener(type, (event) => log("element", type, event.detail));
}

// 2 · The frame: messages to and from the app's origin only, never "*".
const send = (type, detail) => frame.contentWindow?.postMessage({ type, detail }, app.origin);
const themeValues = () => {
  const style = getComputedStyle(element);
  return Object.fromEntries(THEME.map((name) => [name, style.getPropertyValue(name).trim()])
    .filter(([, value]) => value));
};
window.addEventListener("message", (event) => {
  if (event.origin !== app.origin || event.source !== frame.contentWindow) return;
  const { type, detail } = event.data ?? {};
  if (type === "qianyue-resize") {
    frame.style.height = `${detail.height}px`;
    return;
  }
  log("frame", type, detail);
  if (type === "qianyue-ready") {
    send("qianyue-theme", themeValues());
    if (prefill.checked) send("qianyue-prefill", { form: ORDER, readonly: READONLY, locale: locale.value });
  }
});

function applyTheme() {
  element.className = theme.value ? `theme-${theme.value}` : "";
  send("qianyue-theme", themeValues());
}
theme.addEventListener("change", applyTheme);
locale.addEventListener("change", () => {
  element.setAttribute("locale", locale.value);
  send("qianyue-locale", { locale: locale.value });
});
prefill.addEventListener("change", () => {
  element.prefill = prefill.checked ? ORDER : null;
  send("qianyue-prefill", { form: prefill.checked ? ORDER : null, readonly: prefill.checked ? READONLY : [], locale: locale.value });
});

// 3 · Signing requests: opened by the portal's back end (the API key stays on the server), one
// for each mode, since a request is signed once. Their status is shown as it changes.
const openRequest = document.getElementById("open-request");
async function portalRequest() {
  const response = await fetch("/portal/requests", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ locale: locale.value }),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.message_en || answer.error || response.status);
  return answer;
}
function watch(source, id) {
  let last = "open";
  const timer = setInterval(async () => {
    const response = await fetch(`/portal/requests/${id}`).catch(() => null);
    if (!response?.ok) return;
    const { status, consent_id } = await response.json();
    if (status === last) return;
    last = status;
    log(source, `request ${status}`, { id, consent_id });
    if (["signed", "expired", "revoked"].includes(status)) clearInterval(timer);
  }, 2000);
}
openRequest.addEventListener("click", async () => {
  openRequest.disabled = true;
  try {
    const [forElement, forFrame] = [await portalRequest(), await portalRequest()];
    prefill.checked = false;
    element.prefill = null;
    element.setAttribute("request", forElement.token);
    log("element", "request opened", { id: forElement.id, expires_at: forElement.expires_at });
    watch("element", forElement.id);
    frame.src = new URL(`/s/${forFrame.token}?embed=iframe&locale=${encodeURIComponent(locale.value)}`, app).href;
    log("frame", "request opened", { id: forFrame.id, expires_at: forFrame.expires_at });
    watch("frame", forFrame.id);
  } catch (error) {
    log("portal", "request failed", { message: String(error) });
  } finally {
    openRequest.disabled = false;
  }
});

applyTheme();
element.prefill = prefill.checked ? ORDER : null;
frame.src = new URL(`/?embed=iframe&locale=${encodeURIComponent(locale.value)}`, app).href;
try {
  await import(new URL("/embed.js", app).href);
} catch (error) {
  log("portal", "embed.js failed to load", { message: String(error) });
}
