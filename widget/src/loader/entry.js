/* The loader, `chat-widget.js`: plain DOM, no React. Built as an IIFE by scripts/build.mjs. */
import { boot } from './registry.js';
import { routedAppLoader } from './app-loader.js';

// document.currentScript is only set while this file first runs: read it now.
const script = document.currentScript;

boot({
  win: window,
  script,
  version: __WIDGET_VERSION__,
  // One app per page: the first tenant initialised decides the routing.
  createAppLoader: (registry, tenant) =>
    routedAppLoader({
      doc: document,
      fetch: window.fetch && window.fetch.bind(window),
      crypto: window.crypto,
      loaderSrc: script?.src,
      baseUrl: document.baseURI,
      version: __WIDGET_VERSION__,
      integrity: __APP_INTEGRITY__,
      tenant,
      waitForApp: (v) => registry._waitForApp(v),
    }),
});
