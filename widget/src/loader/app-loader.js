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

/** Where the app lives: next to the loader, whatever path or channel the loader came from. */
export function appUrlFor(loaderSrc, file, baseUrl) {
  return new URL(file, loaderSrc || baseUrl).href;
}
