import { defineConfig } from 'vite';

// A static single-page app: `npm run build` writes web/dist, which `aitbc web` (or any static
// file server) serves. Relative asset paths so the app also works from a sub-folder.
export default defineConfig({
  base: './',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2048,
    rollupOptions: {
      // polkadot.js ships /*#__PURE__*/ notes where Rollup cannot use them: harmless, and noise.
      onwarn(warning, warn) {
        if (warning.code !== 'INVALID_ANNOTATION') warn(warning);
      },
      output: {
        // The polkadot.js libraries change far less often than the app: their own chunk stays cached.
        manualChunks: (id) => (id.includes('node_modules/@polkadot') || id.includes('node_modules/@noble') ? 'polkadot' : undefined),
      },
    },
  },
  server: { host: '127.0.0.1', port: 5173 },
});
