/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// The app is served by the Go binary at / (frontend/embed.go embeds dist/).
// public/.keep is copied into every build, so dist/.keep (which go:embed
// needs on a clone where the app was never built) survives emptyOutDir.
// `npx vite` serves the app in development and proxies the API to a local
// `sozialatlas serve` on 127.0.0.1:8080.
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: Object.fromEntries(
      ['/api', '/tiles', '/app', '/maps', '/reports', '/profiles', '/ogc', '/docs', '/openapi.yaml'].map((p) => [p, 'http://127.0.0.1:8080']),
    ),
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
});
