/**
 * `window.BookingChat`: the only global the widget writes.
 *
 * A command registry in the Intercom/Crisp style. Before the script loads a page may queue
 * calls (`window.BookingChat = window.BookingChat || []; BookingChat.push(['init', {...}])`);
 * after it loads, the same `push` runs them at once, and the methods can be called directly.
 * Loading the script a second time finds the registry already there and only asks it to init
 * its tag's options, which it dedupes by tenant + mount: never two widgets.
 */
import { createInstance } from './instance.js';
import { instanceKey, normalizeOptions, optionsFromScript } from './config.js';

function createRegistry({ win, version, createAppLoader }) {
  const instances = new Map(); // key -> { instance, handle, ready }
  const listeners = []; // { event, fn, key }
  const readyDetails = []; // details of instances that are ready, for late `on('ready')`
  const appWaiters = new Map();
  const deferred = []; // top-level commands waiting for a first instance
  let readyEventFired = false;
  let loadApp = null;

  function emit(key, event, detail) {
    const full = { ...detail, tenant: key.split('|')[0] };
    for (const l of [...listeners]) {
      if (l.event !== event || (l.key && l.key !== key)) continue;
      try {
        l.fn(full);
      } catch (err) {
        win.console?.error?.('BookingChat listener failed', err);
      }
    }
  }

  function on(event, fn, key = null) {
    if (typeof fn !== 'function') return () => {};
    const entry = { event, fn, key };
    listeners.push(entry);
    if (event === 'ready') {
      for (const detail of readyDetails) {
        if (!key || detail.key === key) Promise.resolve().then(() => fn({ ...detail.payload }));
      }
    }
    return () => off(event, fn);
  }

  function off(event, fn) {
    const i = listeners.findIndex((l) => l.event === event && l.fn === fn);
    if (i >= 0) listeners.splice(i, 1);
  }

  function init(raw) {
    const options = normalizeOptions(raw);
    if (!options.tenant) return Promise.reject(new Error('BookingChat.init: `tenant` is required'));
    const key = instanceKey(options);
    const known = instances.get(key);
    if (known) return known.ready;

    loadApp ??= createAppLoader(registry, options.tenant);
    const instance = createInstance({ options, win, version, loadApp, emit: (e, d) => emit(key, e, d) });
    const handle = {
      tenant: options.tenant,
      open: instance.open,
      close: instance.close,
      toggle: instance.toggle,
      setLocale: instance.setLocale,
      destroy: () => {
        instance.destroy();
        instances.delete(key);
      },
      on: (event, fn) => on(event, fn, key),
    };
    const ready = instance.mount().then(() => {
      const payload = { tenant: options.tenant, version };
      readyDetails.push({ key, payload });
      emit(key, 'ready', { version });
      if (!readyEventFired) {
        readyEventFired = true;
        win.dispatchEvent(new win.CustomEvent('bookingchat:ready', { detail: payload }));
      }
      for (const [name, args] of deferred.splice(0)) handle[name](...args);
      return handle;
    });
    ready.catch((err) => {
      instances.delete(key);
      emit(key, 'error', { code: 'mount', message: String(err?.message ?? err) });
    });
    instances.set(key, { instance, handle, ready });
    return ready;
  }

  function forDefault(name) {
    return (...args) => {
      const first = instances.values().next().value;
      if (first) first.ready.then((handle) => handle[name](...args), () => {});
      else deferred.push([name, args]);
    };
  }

  function destroyAll() {
    deferred.length = 0;
    for (const { handle } of [...instances.values()]) handle.destroy();
    readyDetails.length = 0;
  }

  function push(command) {
    if (typeof command === 'function') return command(registry);
    const [name, ...args] = Array.from(command ?? []);
    // A command is any public method (`_defineApp` and friends are the app's, not the page's).
    if (typeof registry[name] != 'function' || name[0] == '_') {
      win.console?.warn?.(`BookingChat: unknown command ${name}`);
      return undefined;
    }
    return registry[name](...args);
  }

  const registry = {
    __bookingChat: true,
    version,
    init,
    open: forDefault('open'),
    close: forDefault('close'),
    toggle: forDefault('toggle'),
    setLocale: forDefault('setLocale'),
    destroy: destroyAll,
    on: (event, fn) => on(event, fn),
    off,
    push,
    /** Called by chat-widget.app.js when it has loaded. */
    _defineApp(appVersion, app) {
      waiter(appVersion).resolve(app);
    },
    _waitForApp: (appVersion) => waiter(appVersion).promise,
  };

  function waiter(appVersion) {
    if (!appWaiters.has(appVersion)) {
      let resolve;
      const promise = new Promise((r) => (resolve = r));
      appWaiters.set(appVersion, { promise, resolve });
    }
    return appWaiters.get(appVersion);
  }

  return registry;
}

/**
 * Start the widget from its script tag. Idempotent: a second copy of the script (same or
 * another version) reuses the registry that is already there.
 */
export function boot({ win, script, version, createAppLoader }) {
  const existing = win.BookingChat;
  const fromTag = optionsFromScript(script);
  if (existing && existing.__bookingChat) {
    if (existing.version !== version) {
      win.console?.warn?.(`BookingChat ${existing.version} is already loaded; ignoring ${version}`);
    }
    if (fromTag) existing.init(fromTag).catch(() => {});
    return existing;
  }
  const queued = Array.isArray(existing) ? existing : Array.isArray(existing?.q) ? existing.q : [];
  const registry = createRegistry({ win, version, createAppLoader });
  win.BookingChat = registry;
  for (const command of queued) {
    try {
      const result = registry.push(command);
      result?.catch?.(() => {});
    } catch (err) {
      win.console?.error?.('BookingChat: queued command failed', err);
    }
  }
  if (fromTag) registry.init(fromTag).catch(() => {});
  return registry;
}
