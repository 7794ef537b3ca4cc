/**
 * One widget on the page: its shadow root, its launcher, its app.
 *
 * The loader owns the launcher (plain DOM, drawn at once) and the open/closed state; the app
 * (React + MUI, loaded later) only renders the panel into the container it is given.
 */
import { loaderCss, iconSvg } from './styles.js';
import { LAUNCHER_STRINGS } from './strings.js';
import { pageLocaleSources, resolveLocale } from '../shared/locale.js';

function domReady(doc) {
  if (doc.readyState !== 'loading') return Promise.resolve();
  return new Promise((resolve) => doc.addEventListener('DOMContentLoaded', () => resolve(), { once: true }));
}

function findTarget(doc, mount) {
  if (!mount) return doc.body;
  if (typeof mount === 'string') return doc.querySelector(mount);
  return mount.nodeType === 1 ? mount : null;
}

export function createInstance({ options, win, loadApp, emit, version }) {
  const doc = win.document;
  const inline = Boolean(options.mount);
  const state = {
    open: inline,
    requestedLocale: options.locale,
    controller: null,
    appPromise: null,
    destroyed: false,
  };
  let host = null;
  let launcher = null;
  let container = null;

  // The tenant's colour reaches the launcher before intent: remembered from the last open (the app
  // that knows it is fetched only on intent), else the tag's `data-color`. Only a hex colour (#rgb,
  // #rrggbb, the app's own rule) is used: anything else would blank the launcher's background.
  // Storage may throw (blocked cookies, Safari private mode): then nothing is remembered.
  const colorKey = `bkc-color:${options.tenant}`;
  const storage = (op, value) => {
    try {
      return win.localStorage[op](colorKey, value);
    } catch {
      // nothing remembered, nothing read: data-color (or the default) until the app loads
    }
  };
  // setProperty returns undefined, so `paint` says whether the colour was a hex one and is applied.
  const paint = (color) => /^#([\da-f]{3}){1,2}$/i.test(color) && !host.style.setProperty('--bkc-primary', color);

  const locale = () => resolveLocale({ requested: state.requestedLocale, ...pageLocaleSources(win) });

  function renderLauncher() {
    if (!launcher) return;
    const words = LAUNCHER_STRINGS[locale()];
    launcher.setAttribute('aria-expanded', String(state.open));
    launcher.setAttribute('aria-label', launcher.hasAttribute('data-failed') ? words.unavailable : state.open ? words.close : words.open);
    launcher.replaceChildren(iconSvg(doc, state.open));
  }

  function setBusy(busy) {
    if (launcher) launcher.setAttribute('aria-busy', String(busy));
  }

  function ensureApp() {
    if (state.appPromise) return state.appPromise;
    setBusy(true);
    state.appPromise = loadApp()
      .then((app) => {
        if (state.destroyed) return null;
        state.controller = app.mount({
          shadowRoot: host.shadowRoot,
          container,
          options: { ...options, locale: state.requestedLocale },
          inline,
          // A routed tenant runs the canary's app: it says its own version, not the loader's.
          version: app.version ?? version,
          open: state.open,
          onRequestClose: () => close({ returnFocus: true }),
          onTheme: (color) => paint(color) && storage('setItem', color),
          emit: (event, detail) => emit(event, detail),
        });
        launcher?.removeAttribute('data-failed');
        setBusy(false);
        renderLauncher();
        return state.controller;
      })
      .catch((err) => {
        state.appPromise = null;
        setBusy(false);
        emit('error', { code: 'app_load', message: String(err?.message ?? err) });
        throw err;
      });
    return state.appPromise;
  }

  function open() {
    if (state.destroyed || state.open) return;
    state.open = true;
    renderLauncher();
    emit('open');
    ensureApp().then(
      (controller) => controller?.setOpen(state.open),
      () => {
        // The visitor asked for the chat and it could not come: say so on the launcher.
        state.open = false;
        launcher?.setAttribute('data-failed', '');
        renderLauncher();
      },
    );
  }

  function close({ returnFocus = false } = {}) {
    if (state.destroyed || !state.open || inline) return;
    state.open = false;
    state.controller?.setOpen(false);
    renderLauncher();
    emit('close');
    if (returnFocus) launcher?.focus();
  }

  function setLocale(value) {
    state.requestedLocale = value && value !== 'auto' ? value : undefined;
    renderLauncher();
    state.controller?.setLocale(state.requestedLocale);
  }

  function destroy() {
    if (state.destroyed) return;
    state.destroyed = true;
    state.controller?.destroy();
    host?.remove();
    emit('destroy');
  }

  // Fetch the app ahead of an open (idle preload, or intent); a destroyed widget fetches nothing.
  const warm = () => state.destroyed || ensureApp().catch(() => {});

  async function mount() {
    await domReady(doc);
    const target = findTarget(doc, options.mount);
    if (!target) throw new Error(`BookingChat: mount target ${options.mount} not found`);
    if (state.destroyed) return;
    host = doc.createElement('div');
    host.setAttribute('data-booking-chat', options.tenant);
    paint(storage('getItem')) || paint(options.color);
    const shadow = host.attachShadow({ mode: 'open' });
    const style = doc.createElement('style');
    if (options.nonce) style.nonce = options.nonce;
    style.textContent = loaderCss(options);
    container = doc.createElement('div');
    container.className = 'bkc-app';
    container.id = 'bkc-panel';
    if (inline) container.setAttribute('data-inline', '');
    // One element holds everything visible, so tests and browser drivers can query from it.
    const root = doc.createElement('div');
    root.className = 'bkc-root';
    root.append(container);
    shadow.append(style, root);
    if (!inline) {
      launcher = doc.createElement('button');
      launcher.type = 'button';
      launcher.className = 'bkc-launcher';
      launcher.setAttribute('aria-controls', 'bkc-panel');
      launcher.setAttribute('aria-haspopup', 'dialog');
      launcher.addEventListener('click', () => (state.open ? close() : open()));
      root.append(launcher);
      renderLauncher();
    }
    target.appendChild(host);
    if (inline) ensureApp().catch(() => {});
    else if (options.open) open();
    else if (options.preload === 'idle') win.requestIdleCallback ? win.requestIdleCallback(warm, { timeout: 5000 }) : win.setTimeout(warm, 2000);
    else if (options.preload === 'intent') {
      // A touch fires pointerenter too (before pointerdown), so this also covers touch start.
      for (const type of ['pointerenter', 'focus']) launcher.addEventListener(type, warm, { once: true });
    }
  }

  return {
    mount,
    open,
    close: () => close(),
    toggle: () => (state.open ? close() : open()),
    setLocale,
    destroy,
    get host() {
      return host;
    },
  };
}
