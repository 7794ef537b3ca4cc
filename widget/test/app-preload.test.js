/* On intent the loader fetches its own app while it asks the routing object, not after it. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { webcrypto } from 'node:crypto';
import { routedAppLoader } from '../src/loader/app-loader.js';

const OWN_SRI = `sha384-${'C'.repeat(64)}`;
const OWN_APP = 'https://cdn.example.com/v1.4.0/chat-widget.app.js';

function loader(fetch) {
  return routedAppLoader({
    doc: document,
    fetch,
    crypto: webcrypto,
    loaderSrc: 'https://cdn.example.com/latest/chat-widget.js',
    baseUrl: 'https://shop.example.com/',
    version: '1.4.0',
    integrity: OWN_SRI,
    tenant: 'salon-luna',
    waitForApp: () => new Promise(() => {}),
  });
}

const preloads = () => [...document.querySelectorAll('link[rel=preload]')];
const scripts = () => [...document.querySelectorAll('script[data-booking-chat-app]')];

afterEach(() => vi.restoreAllMocks());

describe('the own app and the routing object in parallel', () => {
  it('preloads the own app, with the script tag’s SRI and CORS mode, before the routing answer', async () => {
    let answer;
    const fetch = vi.fn(() => new Promise((resolve) => (answer = resolve)));
    const load = loader(fetch);
    load();
    load(); // a second intent adds nothing
    expect(fetch).toHaveBeenCalledTimes(1);
    const [link] = preloads();
    expect(preloads()).toHaveLength(1);
    expect(link.as).toBe('script');
    expect(link.href).toBe(OWN_APP);
    expect(link.integrity).toBe(OWN_SRI);
    // '' and 'anonymous' are the same CORS state: the browser reuses the preload for the script.
    expect(link.getAttribute('crossorigin')).toBe('');
    expect(scripts()).toHaveLength(0); // nothing runs before the routing decision

    answer({ ok: false, status: 404 }); // no canary: the own app, which is already on its way
    await vi.waitFor(() => expect(scripts()).toHaveLength(1));
    expect(scripts()[0].src).toBe(OWN_APP);
    expect(scripts()[0].integrity).toBe(OWN_SRI);
    expect(scripts()[0].crossOrigin).toBe('anonymous');
  });
});
