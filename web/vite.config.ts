import { defineConfig } from 'vitest/config';

// The dev server forwards the API and the websocket to a running
// `kartenwand serve` (default 127.0.0.1:8080) so `npm run dev` works against
// the real server. The production build is embedded into the binary, which
// serves the same paths itself.
const server = process.env.KARTENWAND_SERVER ?? 'http://127.0.0.1:8080';

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
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
