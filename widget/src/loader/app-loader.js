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
  const dir = here.pathname.split('/').filter(Boolean).pop();
  return new URL(version && CHANNELS.includes(dir) ? `../v${version}/${file}` : file, here).href;
}
