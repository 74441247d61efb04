import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Plugin, transformWithOxc } from 'vite';
import { defineConfig } from 'vitest/config';

// The dev server forwards the API and the websocket to a running
// `kartenwand serve` (default 127.0.0.1:8080) so `npm run dev` works against
// the real server. The production build is embedded into the binary, which
// serves the same paths itself.
const server = process.env.KARTENWAND_SERVER ?? 'http://127.0.0.1:8080';

const SERVICE_WORKER_SOURCE = 'src/sw/service-worker.ts';

/**
 * Emits `sw.js` at the root of dist/ (the server serves dist's root files by
 * path): src/sw/service-worker.ts with its types stripped and the build's
 * file list and version written in, so the worker precaches exactly this
 * build's files. Not part of the app's module graph: the worker is a classic
 * script and must not import anything.
 */
function serviceWorker(): Plugin {
  let outDir = 'dist';
  let precache: string[] = [];
  return {
    name: 'kartenwand-service-worker',
    apply: 'build',
    enforce: 'post',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    // After Vite's own generateBundle hooks, which drop the empty script
    // chunk of a stylesheet shared by two views: listed, it would 404 and
    // the worker's install would fail.
    generateBundle: { order: 'post', async handler(_options, bundle) {
      const files = Object.keys(bundle)
        .filter((name) => name.startsWith('assets/'))
        .sort()
        .map((name) => `/${name}`);
      const source = readFileSync(SERVICE_WORKER_SOURCE, 'utf8');
      // A new build (other hashes) or a changed worker gets a new cache.
      const version = createHash('sha256').update(files.join('\n')).update(source).digest('hex').slice(0, 16);
      const { code } = await transformWithOxc(source, SERVICE_WORKER_SOURCE, { lang: 'ts' });
      const script = code
        .replace(/^export\s*\{\s*\};?\s*$/m, '')
        .replaceAll('__SW_VERSION__', JSON.stringify(version))
        .replaceAll('__SW_PRECACHE__', JSON.stringify(files));
      if (/^\s*(import|export)\b/m.test(script) || script.includes('__SW_')) {
        this.error(`${SERVICE_WORKER_SOURCE} must stay a self-contained script (no imports or exports)`);
      }
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: script });
      precache = files;
    } },
    // One missing file and the worker never installs: check the list
    // against what was written.
    closeBundle() {
      const missing = precache.filter((url) => !existsSync(join(outDir, url)));
      if (missing.length > 0) {
        this.error(`sw.js precaches files the build did not write: ${missing.join(', ')}`);
      }
    },
  };
}

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [serviceWorker()],
  server: {
    proxy: {
      '/api': server,
      '/ws': { target: server.replace(/^http/, 'ws'), ws: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The manifest lets scripts/bundle-size.mjs (and later the server) find
    // the chunks each view loads.
    manifest: true,
    target: 'es2022',
    sourcemap: false,
  },
  test: {
    include: ['src/**/*.test.{ts,tsx}'],
    environment: 'node',
  },
});
