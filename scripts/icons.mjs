// Draws the app's icons (run once; the outputs in icons/ are committed):
//   node scripts/icons.mjs
// A white signature stroke over a baseline on the app's accent blue. The same geometry gives
// the SVG and the PNGs (rasterised here with distance-based anti-aliasing; no dependencies).
import { writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const ACCENT = [0x0b, 0x6b, 0xcb];
const WHITE = [0xff, 0xff, 0xff];
const SIZE = 512; // design units

// The signature: cubic Bézier segments [p0, c1, c2, p1] in design units.
const SIGNATURE = [
  [[140, 300], [170, 200], [215, 160], [225, 215]],
  [[225, 215], [235, 270], [190, 320], [205, 330]],
  [[205, 330], [225, 345], [260, 230], [285, 240]],
  [[285, 240], [305, 248], [290, 310], [315, 305]],
  [[315, 305], [335, 300], [350, 265], [372, 262]],
];
const SIGNATURE_WIDTH = 22;
const BASELINE = [[136, 372], [376, 372]];
const BASELINE_WIDTH = 12;
const CORNER = 96; // corner radius of the "any" icon; the maskable one is full bleed

function bezierPoints([p0, c1, c2, p1], steps = 32) {
  const out = [];
  for (let i = 0; i <= steps; i++) {
    const t = i / steps, u = 1 - t;
    const a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t;
    out.push([a * p0[0] + b * c1[0] + c * c2[0] + d * p1[0], a * p0[1] + b * c1[1] + c * c2[1] + d * p1[1]]);
  }
  return out;
}

const signaturePolyline = SIGNATURE.flatMap((seg, i) => bezierPoints(seg).slice(i === 0 ? 0 : 1));

function segmentDistance(px, py, [ax, ay], [bx, by]) {
  const vx = bx - ax, vy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy)));
  return Math.hypot(px - (ax + t * vx), py - (ay + t * vy));
}

function polylineDistance(px, py, points) {
  let best = Infinity;
  for (let i = 1; i < points.length; i++) best = Math.min(best, segmentDistance(px, py, points[i - 1], points[i]));
  return best;
}

// Signed distance to a rounded square covering the whole canvas (negative inside).
function roundedSquareDistance(px, py, radius) {
  const half = SIZE / 2;
  const qx = Math.abs(px - half) - (half - radius), qy = Math.abs(py - half) - (half - radius);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

const clamp01 = (v) => Math.max(0, Math.min(1, v));

function render(pixels, { maskable }) {
  const scale = SIZE / pixels; // design units per pixel
  const rgba = Buffer.alloc(pixels * pixels * 4);
  for (let y = 0; y < pixels; y++) {
    for (let x = 0; x < pixels; x++) {
      const px = (x + 0.5) * scale, py = (y + 0.5) * scale;
      const bg = maskable ? 1 : clamp01(0.5 - roundedSquareDistance(px, py, CORNER) / scale);
      const sig = clamp01(0.5 + (SIGNATURE_WIDTH / 2 - polylineDistance(px, py, signaturePolyline)) / scale);
      const base = 0.75 * clamp01(0.5 + (BASELINE_WIDTH / 2 - polylineDistance(px, py, BASELINE)) / scale);
      const ink = Math.max(sig, base);
      const i = (y * pixels + x) * 4;
      for (let c = 0; c < 3; c++) rgba[i + c] = Math.round(ACCENT[c] * (1 - ink) + WHITE[c] * ink);
      rgba[i + 3] = Math.round(255 * bg);
    }
  }
  return rgba;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(pixels, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(pixels, 0); ihdr.writeUInt32BE(pixels, 4);
  ihdr[8] = 8; ihdr[9] = 6; // 8-bit RGBA
  const raw = Buffer.alloc(pixels * (pixels * 4 + 1));
  for (let y = 0; y < pixels; y++) rgba.copy(raw, y * (pixels * 4 + 1) + 1, y * pixels * 4, (y + 1) * pixels * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
  ]);
}

function svg() {
  const hex = (rgb) => '#' + rgb.map((c) => c.toString(16).padStart(2, '0')).join('');
  const pt = ([x, y]) => `${x} ${y}`;
  const d = `M${pt(SIGNATURE[0][0])}` + SIGNATURE.map(([, c1, c2, p1]) => ` C${pt(c1)} ${pt(c2)} ${pt(p1)}`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${SIZE} ${SIZE}">
  <title>签约 Qianyue</title>
  <rect width="${SIZE}" height="${SIZE}" rx="${CORNER}" fill="${hex(ACCENT)}"/>
  <path d="M${pt(BASELINE[0])} L${pt(BASELINE[1])}" stroke="#fff" stroke-opacity="0.75" stroke-width="${BASELINE_WIDTH}" stroke-linecap="round"/>
  <path d="${d}" fill="none" stroke="#fff" stroke-width="${SIGNATURE_WIDTH}" stroke-linecap="round" stroke-linejoin="round"/>
</svg>
`;
}

mkdirSync('icons', { recursive: true });
writeFileSync('icons/icon.svg', svg());
for (const [name, pixels, maskable] of [
  ['icon-192.png', 192, false],
  ['icon-512.png', 512, false],
  ['icon-maskable-512.png', 512, true],
  ['apple-touch-icon-180.png', 180, true],
]) {
  writeFileSync(`icons/${name}`, png(pixels, render(pixels, { maskable })));
}
console.log('wrote icons/');
