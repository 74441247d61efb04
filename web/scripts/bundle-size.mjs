// Prints the JavaScript and the CSS each view loads (entry + the view's
// dynamic chunk, with all their static imports), raw and gzipped, from
// Vite's manifest.
// Fails when the participant view exceeds its budget (200 KB gzipped).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url).pathname;
/** @type {Record<string, {file: string, imports?: string[], css?: string[], isEntry?: boolean}>} */
const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8'));
const BUDGET_GZIP = 200 * 1024;

const views = {
  start: 'src/views/start/StartView.tsx',
  participant: 'src/views/participant/ParticipantView.tsx',
  moderator: 'src/views/moderator/ModeratorView.tsx',
  presenter: 'src/views/presenter/PresenterView.tsx',
  watch: 'src/views/watch/WatchView.tsx',
};

/** @param {string} key @param {Set<string>} files @param {Set<string>} css */
function collect(key, files, css) {
  const chunk = manifest[key];
  if (!chunk || files.has(chunk.file)) return;
  files.add(chunk.file);
  for (const file of chunk.css ?? []) css.add(file);
  for (const imported of chunk.imports ?? []) collect(imported, files, css);
}

/** @param {string} file */
function sizes(file) {
  const bytes = readFileSync(join(dist, file));
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

const kb = (/** @type {number} */ n) => `${(n / 1024).toFixed(1)} KB`;
let failed = false;
console.log('\nJavaScript per view (entry + view chunk + shared chunks):');
/** @type {Record<string, Set<string>>} */
const cssPerView = {};
for (const [name, key] of Object.entries(views)) {
  const files = new Set();
  const css = new Set();
  collect('index.html', files, css);
  collect(key, files, css);
  cssPerView[name] = css;
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const s = sizes(file);
    raw += s.raw;
    gzip += s.gzip;
  }
  const over = name === 'participant' && gzip > BUDGET_GZIP;
  failed ||= over;
  console.log(`  ${name.padEnd(12)} ${kb(raw).padStart(10)} raw  ${kb(gzip).padStart(9)} gzip${over ? '  OVER BUDGET (200 KB)' : ''}`);
}
console.log('CSS per view (ui/base.css + the view\'s own):');
for (const [name, css] of Object.entries(cssPerView)) {
  let raw = 0;
  let gzip = 0;
  for (const file of css) {
    const s = sizes(file);
    raw += s.raw;
    gzip += s.gzip;
  }
  console.log(`  ${name.padEnd(12)} ${kb(raw).padStart(10)} raw  ${kb(gzip).padStart(9)} gzip`);
}
if (failed) process.exit(1);
