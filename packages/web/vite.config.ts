import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Built to static files that the server serves at `/` (DESIGN §10); nothing is fetched
 * from a CDN. `vite` alone (dev) proxies the API to a server on COUNTERSIGN_DEV_API.
 */
const api = process.env.COUNTERSIGN_DEV_API ?? 'http://127.0.0.1:4000';

export default defineConfig({
  plugins: [react()],
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 400 },
  server: {
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: false },
      '/auth': { target: api, changeOrigin: false },
    },
  },
});
