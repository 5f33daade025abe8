// Builds the console's page (web/) into dist/web, which the console's server serves at /.
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'web',
  plugins: [preact()],
  build: { outDir: '../dist/web', emptyOutDir: true, sourcemap: true },
  // `vite dev` on 5173 with the API of a console server running on 3005.
  server: { proxy: { '/api': 'http://127.0.0.1:3005' } },
});
