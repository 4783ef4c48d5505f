// Renders resources/icon.svg into the app icon in every size the installers need:
// resources/icons/<N>x<N>.png (Linux, 16…1024), resources/icon.png (1024), icon.ico
// (Windows: 16…256 in one file) and icon.icns (macOS: PNG entries, written here).
// Needs rsvg-convert (librsvg2-bin) or ImageMagick's convert; the output is committed,
// so a build never needs either. Run: node scripts/icons.mjs
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const res = path.join(root, 'resources');
const svg = path.join(res, 'icon.svg');
const SIZES = [16, 32, 48, 64, 128, 256, 512, 1024];

function render(size, out) {
  const tries = [
    ['rsvg-convert', ['-w', String(size), '-h', String(size), '-o', out, svg]],
    ['convert', ['-background', 'none', '-density', '384', svg, '-resize', `${size}x${size}`, `png32:${out}`]],
  ];
  for (const [cmd, args] of tries) {
    const r = spawnSync(cmd, args, { stdio: 'pipe' });
    if (r.status === 0 && fs.existsSync(out)) return;
  }
  throw new Error(`could not render ${size}px: install librsvg2-bin or imagemagick`);
}

/** ICNS: "icns" + total length, then one (type, length, PNG) entry per size. */
function writeIcns(out, pngs) {
  const types = { 16: 'icp4', 32: 'icp5', 64: 'icp6', 128: 'ic07', 256: 'ic08', 512: 'ic09', 1024: 'ic10' };
  const entries = Object.entries(types).map(([size, type]) => {
    const data = fs.readFileSync(pngs[size]);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + entries.reduce((n, e) => n + e.length, 0), 4);
  fs.writeFileSync(out, Buffer.concat([head, ...entries]));
}

/** ICO: a directory of PNG images (Vista+), sizes up to 256 (stored as 0). */
function writeIco(out, pngs, sizes) {
  const images = sizes.map((s) => fs.readFileSync(pngs[s]));
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const dir = images.map((img, i) => {
    const e = Buffer.alloc(16);
    e.writeUInt8(sizes[i] >= 256 ? 0 : sizes[i], 0);
    e.writeUInt8(sizes[i] >= 256 ? 0 : sizes[i], 1);
    e.writeUInt16LE(1, 4);
    e.writeUInt16LE(32, 6);
    e.writeUInt32LE(img.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += img.length;
    return e;
  });
  fs.writeFileSync(out, Buffer.concat([header, ...dir, ...images]));
}

fs.mkdirSync(path.join(res, 'icons'), { recursive: true });
const pngs = {};
for (const size of SIZES) {
  pngs[size] = path.join(res, 'icons', `${size}x${size}.png`);
  render(size, pngs[size]);
}
fs.copyFileSync(pngs[1024], path.join(res, 'icon.png'));
writeIco(path.join(res, 'icon.ico'), pngs, [16, 32, 48, 64, 128, 256]);
writeIcns(path.join(res, 'icon.icns'), pngs);
console.log(`icons written to ${path.relative(root, res)}`);
