// The loader's canary routing: the same decisions as orchestrator/core/canary.py (shared vectors),
// and what the loader really appends to the page for a routed, an unrouted and a broken case.
import { webcrypto } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bucket, decide, fnv1a32, route } from '../src/loader/routing.js';
import { routedAppLoader } from '../src/loader/app-loader.js';
import VECTORS from './canary-vectors.json';

const SRI = `sha384-${'B'.repeat(64)}`;
const OWN_SRI = `sha384-${'C'.repeat(64)}`;

async function sha256hex(text) {
  const buf = await webcrypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Buffer.from(buf).toString('hex');
}

describe('shared vectors', () => {
  it.each(VECTORS.hash.filter((v) => 'text' in v))('fnv1a32($text)', (v) => {
    expect(fnv1a32(v.text)).toBe(v.fnv1a32);
  });
  it.each(VECTORS.hash.filter((v) => 'tenant' in v))('bucket and digest of $tenant', async (v) => {
    expect(bucket(v.salt, v.tenant)).toBe(v.bucket);
    expect(await sha256hex(`${v.salt}:${v.tenant}`)).toBe(v.digest);
  });
  it.each(VECTORS.decisions)('$name', async (v) => {
    const got = await decide(v.routing, v.tenant, v.channel ?? undefined, v.own, webcrypto);
    expect(got?.version ?? null).toBe(v.expect);
  });
});

function routingFor(tenantDigests, percent = 0) {
  return {
    schema: 1,
    env: 'prod',
    state: 'active',
    stable: '1.4.0',
    updated: 't',
    canary: { version: '1.5.0', integrity: SRI, salt: 'prod:1.5.0', percent_bp: percent, tenants: tenantDigests },
  };
}

function deferred() {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}

function loaderFor(fetch, { tenant = 'salon-luna', src = 'https://cdn.example.com/latest/chat-widget.js' } = {}) {
  const waiters = {};
  const waitForApp = (v) => (waiters[v] ??= deferred()).promise;
  const load = routedAppLoader({
    doc: document,
    fetch,
    crypto: webcrypto,
    loaderSrc: src,
    baseUrl: 'https://shop.example.com/',
    version: '1.4.0',
    integrity: OWN_SRI,
    tenant,
    waitForApp,
  });
  return { load, waiters: (v) => (waiters[v] ??= deferred()) };
}

const appended = () => [...document.querySelectorAll('script[data-booking-chat-app]')];
// The decision awaits fetch, JSON and WebCrypto: wait until the loader has appended its script.
const settle = () => vi.waitFor(() => expect(appended().length).toBeGreaterThan(0));

afterEach(() => {
  for (const s of appended()) s.remove();
  vi.restoreAllMocks();
});

describe('routedAppLoader', () => {
  it('loads the canary app with its SRI for a listed tenant, fetching the routing object beside the channel', async () => {
    const digest = await sha256hex('prod:1.5.0:salon-luna');
    const fetch = vi.fn(async () => new Response(JSON.stringify(routingFor([digest]))));
    const { load, waiters } = loaderFor(fetch);
    const app = load();
    await settle();
    expect(fetch).toHaveBeenCalledWith('https://cdn.example.com/canary/routing.json', { credentials: 'omit' });
    const [script] = appended();
    expect(script.src).toBe('https://cdn.example.com/v1.5.0/chat-widget.app.js');
    expect(script.integrity).toBe(SRI);
    waiters('1.5.0').resolve({ version: '1.5.0' });
    expect(await app).toEqual({ version: '1.5.0' });
  });

  it('keeps an unlisted tenant on its own version', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify(routingFor(['0'.repeat(64)]))));
    const { load } = loaderFor(fetch, { tenant: 'demo-clinic' });
    load();
    await settle();
    expect(appended().map((s) => [s.src, s.integrity])).toEqual([['https://cdn.example.com/v1.4.0/chat-widget.app.js', OWN_SRI]]);
  });

  it.each([
    ['not JSON', () => new Response('<html>oops')],
    ['a 403 (no object yet)', () => new Response('denied', { status: 403 })],
    ['a network error', () => Promise.reject(new TypeError('offline'))],
    ['an unknown schema', () => new Response(JSON.stringify({ ...routingFor([]), schema: 9 }))],
  ])('falls back to stable on %s, without a console error', async (_name, reply) => {
    const error = vi.spyOn(console, 'error');
    const { load } = loaderFor(vi.fn(async () => reply()));
    load();
    await settle();
    expect(appended().map((s) => s.src)).toEqual(['https://cdn.example.com/v1.4.0/chat-widget.app.js']);
    expect(error).not.toHaveBeenCalled();
  });

  it('never asks for routing when pinned to a version directory', async () => {
    const fetch = vi.fn();
    const { load } = loaderFor(fetch, { src: 'https://cdn.example.com/v1.4.0/chat-widget.js' });
    load();
    await settle();
    expect(fetch).not.toHaveBeenCalled();
    expect(appended().map((s) => s.src)).toEqual(['https://cdn.example.com/v1.4.0/chat-widget.app.js']);
  });

  it('falls back to its own app when the canary app fails to load (SRI, network)', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify(routingFor([], 10000))));
    const { load, waiters } = loaderFor(fetch);
    const app = load();
    await settle();
    appended()[0].dispatchEvent(new Event('error'));
    await vi.waitFor(() => expect(appended()[0].src).toContain('v1.4.0'));
    expect(appended().map((s) => s.src)).toEqual(['https://cdn.example.com/v1.4.0/chat-widget.app.js']);
    waiters('1.4.0').resolve({ version: '1.4.0' });
    expect(await app).toEqual({ version: '1.4.0' });
  });

  it('fetches nothing until intent', () => {
    const fetch = vi.fn();
    loaderFor(fetch);
    expect(fetch).not.toHaveBeenCalled();
    expect(appended()).toEqual([]);
  });

  it('route() without fetch (old browsers) is stable', async () => {
    expect(await route({ fetch: undefined, url: 'x', tenant: 't', channel: 'latest', version: '1' })).toBeNull();
  });
});
