import { route } from './routing.js';

/**
 * Fetch `chat-widget.app.js` of the loader's own version, checked with SRI.
 *
 * The app script registers itself through `window.BookingChat._defineApp(version, app)`; the
 * registry resolves the waiter for that version. A failed load (network, SRI mismatch) removes
 * the tag and rejects, so the next attempt starts clean.
 */
export function scriptAppLoader({ doc, url, integrity, waitForApp }) {
  let pending = null;
  return function loadApp() {
    if (pending) return pending;
    pending = new Promise((resolve, reject) => {
      const script = doc.createElement('script');
      script.src = url;
      script.async = true;
      script.crossOrigin = 'anonymous';
      if (integrity) script.integrity = integrity;
      script.dataset.bookingChatApp = '';
      script.addEventListener('error', () => {
        script.remove();
        reject(new Error(`could not load ${url}`));
      });
      waitForApp().then(resolve, reject);
      (doc.head || doc.documentElement).appendChild(script);
    }).catch((err) => {
      pending = null;
      throw err;
    });
    return pending;
  };
}

const CHANNELS = ['latest', 'stable', 'beta', 'alpha', 'canary'];

/**
 * Where the app of this loader's own version lives. A channel (`/latest/chat-widget.js`) is one
 * small object on the CDN — a copy of a version's loader — so from a channel directory the app is
 * fetched from the version directory beside it (`/v1.4.0/chat-widget.app.js`); from anywhere else
 * (`/v1.4.0/`, a dev server, a self-hosted copy) it sits next to the loader.
 */
export function appUrlFor(loaderSrc, file, baseUrl, version) {
  const here = new URL('.', loaderSrc || baseUrl);
  const dir = channelOf(loaderSrc, baseUrl);
  return new URL(version && dir ? `../v${version}/${file}` : file, here).href;
}

/** The channel directory the loader was served from (`latest`, `canary`, …), or undefined. */
export function channelOf(loaderSrc, baseUrl) {
  const dir = new URL('.', loaderSrc || baseUrl).pathname.split('/').filter(Boolean).pop();
  return CHANNELS.includes(dir) ? dir : undefined;
}

const APP = 'chat-widget.app.js';

/**
 * The app loader with canary routing: on the first intent, ask the environment's routing object
 * (`/canary/routing.json` beside the channels) whether this tenant runs the canary; load that
 * version's app with its SRI, or the loader's own. A canary app that fails to load (network,
 * SRI) falls back to the own version at once: the canary never leaves a visitor without chat.
 */
export function routedAppLoader({ doc, fetch, crypto, loaderSrc, baseUrl, version, integrity, tenant, waitForApp }) {
  const channel = channelOf(loaderSrc, baseUrl);
  const url = appUrlFor(loaderSrc, APP, baseUrl, version);
  const own = scriptAppLoader({ doc, url, integrity, waitForApp: () => waitForApp(version) });
  let pending = null;
  return function loadApp() {
    // The own app is fetched while the routing object is asked (one round trip less for every
    // tenant the canary does not route; a routed one fetches both, and runs only the canary).
    // Same integrity and CORS mode as the <script> that follows, so the browser reuses it.
    pending ??= (doc.head.append(Object.assign(doc.createElement('link'), { rel: 'preload', as: 'script', href: url, integrity, crossOrigin: '' })), route({
      fetch,
      crypto,
      url: new URL('../canary/routing.json', new URL('.', loaderSrc || baseUrl)).href,
      tenant,
      channel,
      version,
    })
      .then((to) =>
        to
          ? scriptAppLoader({ doc, url: appUrlFor(loaderSrc, APP, baseUrl, to.version), integrity: to.integrity, waitForApp: () => waitForApp(to.version) })().catch(own)
          : own(),
      )
      .catch((err) => {
        pending = null;
        throw err;
      }));
    return pending;
  };
}
