/* The loader, `chat-widget.js`: plain DOM, no React. Built as an IIFE by scripts/build.mjs. */
import { boot } from './registry.js';
import { appUrlFor, scriptAppLoader } from './app-loader.js';

// document.currentScript is only set while this file first runs: read it now.
const script = document.currentScript;

boot({
  win: window,
  script,
  version: __WIDGET_VERSION__,
  createAppLoader: (registry) =>
    scriptAppLoader({
      doc: document,
      url: appUrlFor(script?.src, 'chat-widget.app.js', document.baseURI, __WIDGET_VERSION__),
      integrity: __APP_INTEGRITY__,
      waitForApp: () => registry._waitForApp(__WIDGET_VERSION__),
    }),
});
