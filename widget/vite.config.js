// Dev server (`npm start`: the demo host page index.html with hot reload) and Vitest.
// Release builds do not use this file: scripts/build.mjs runs Vite with its own inline configs.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  define: {
    __WIDGET_VERSION__: JSON.stringify(process.env.WIDGET_VERSION || '0.0.0-dev'),
    __APP_INTEGRITY__: JSON.stringify(''),
  },
  server: { host: '127.0.0.1', port: Number(process.env.PORT || 5173), strictPort: false },
  preview: { host: '127.0.0.1' },
  test: {
    environment: 'jsdom',
    setupFiles: ['./test/setup.js'],
    include: ['test/**/*.test.{js,jsx}'],
    restoreMocks: true,
    // One jsdom per worker, not per test file: building a fresh jsdom and importing React + MUI
    // again for each file was half of the suite's CPU (21.6 s -> 11 s). test/setup.js empties the
    // page, storage and the widget's globals after every test, and the files pass in any order
    // (checked with --sequence.shuffle.files over several seeds).
    isolate: false,
  },
});
