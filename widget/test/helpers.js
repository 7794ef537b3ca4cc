/* Test helpers: a fetch double shaped exactly like the AppSync GraphQL contract, and boot helpers. */
import { vi } from 'vitest';
import { within } from '@testing-library/dom';
import { boot } from '../src/loader/registry.js';
import { mountApp } from '../src/app/mount.jsx';

export const ENDPOINT = 'https://api.example.com/graphql';
export const LOADER_SRC = 'https://cdn.example.com/chat-widget/v1.4.0/chat-widget.js';

export const TENANT_CONFIG = {
  tenantId: 'acme',
  name: 'Acme Peluquería',
  greeting: 'Hello! Want to book a haircut?',
  locale: 'en',
  timeZone: 'Europe/Madrid',
  themeColor: '#aa3300',
};

export function reply(overrides = {}) {
  return {
    conversationId: 'conv-1',
    message: 'Which service would you like?',
    quickReplies: [],
    booking: null,
    mode: 'GUIDED',
    ...overrides,
  };
}

function response(status, body) {
  return { status, ok: status >= 200 && status < 300, json: async () => body };
}

/**
 * A fetch double: `handlers[operationName](variables, request)` returns the `data` value, or
 * `{ status, body }` for a raw HTTP answer, or throws (network down). Every call is recorded.
 */
export function graphqlFetch(handlers = {}) {
  const calls = [];
  const fn = vi.fn(async (url, init) => {
    const body = JSON.parse(init.body);
    calls.push({ url, headers: init.headers, body });
    const handler = handlers[body.operationName] ?? defaultHandlers[body.operationName];
    const out = await handler(body.variables, { url, init });
    if (out && out.__raw) return response(out.status, out.body);
    return response(200, { data: out });
  });
  fn.calls = calls;
  return fn;
}

export const raw = (status, body) => ({ __raw: true, status, body });

const defaultHandlers = {
  TenantConfig: () => ({ tenantConfig: TENANT_CONFIG }),
  SendMessage: () => ({ sendMessage: reply() }),
  Services: () => ({ services: [] }),
};

export function scriptTag(data = {}, src = LOADER_SRC) {
  const script = document.createElement('script');
  script.src = src;
  for (const [k, v] of Object.entries({ tenant: 'acme', apiKey: 'key-123', endpoint: ENDPOINT, preload: 'open', ...data })) {
    if (v !== undefined) script.dataset[k] = v;
  }
  return script;
}

/** The widget as a page gets it from chat-widget.umd.js: loader + app, no second fetch. */
export function bootWithApp({ data = {}, version = '1.4.0', script = scriptTag(data) } = {}) {
  const app = { version, mount: mountApp };
  return boot({ win: window, script, version, createAppLoader: () => () => Promise.resolve(app) });
}

export function shadowOf(tenant = 'acme') {
  const host = document.querySelector(`[data-booking-chat="${tenant}"]`);
  if (!host) throw new Error(`no widget for ${tenant}`);
  return within(host.shadowRoot.querySelector('.bkc-root'));
}

export function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
