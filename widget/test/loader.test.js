/* The loader: command queue, double-load guard, launcher, and loading the app with SRI. */
import { describe, expect, it, vi } from 'vitest';
import { waitFor } from '@testing-library/dom';
import userEvent from '@testing-library/user-event';
import { boot } from '../src/loader/registry.js';
import { appUrlFor, scriptAppLoader } from '../src/loader/app-loader.js';
import { bootWithApp, graphqlFetch, scriptTag, shadowOf } from './helpers.js';

const INTEGRITY = 'sha384-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** Boot as chat-widget.js does: the app comes from a <script> next to the loader, checked by SRI. */
function bootLoader({ data = {}, version = '1.4.0', src } = {}) {
  const script = scriptTag(data, src);
  return boot({
    win: window,
    script,
    version,
    createAppLoader: (registry) =>
      scriptAppLoader({
        doc: document,
        url: appUrlFor(script.src, 'chat-widget.app.js', document.baseURI),
        integrity: INTEGRITY,
        waitForApp: () => registry._waitForApp(version),
      }),
  });
}

const appScripts = () => [...document.querySelectorAll('script[data-booking-chat-app]')];
const widgets = () => document.querySelectorAll('[data-booking-chat]');

describe('the command queue', () => {
  it('runs commands a page queued before the script loaded', async () => {
    vi.stubGlobal('fetch', graphqlFetch());
    const ready = vi.fn();
    window.BookingChat = [];
    window.BookingChat.push(['on', 'ready', ready]);
    window.BookingChat.push(['open']);
    window.BookingChat.push(['init', { tenant: 'acme', apiKey: 'k', endpoint: 'https://api.example.com/graphql', preload: 'open' }]);
    bootWithApp({ script: null });
    await waitFor(() => expect(ready).toHaveBeenCalledWith(expect.objectContaining({ tenant: 'acme', version: '1.4.0' })));
    expect(await shadowOf().findByRole('dialog')).toBeTruthy();
  });

  it('accepts an Intercom-style function stub with a q array', async () => {
    const stub = function (...args) {
      stub.q.push(args);
    };
    stub.q = [];
    window.BookingChat = stub;
    window.BookingChat('init', { tenant: 'acme', preload: 'open' });
    bootWithApp({ script: null });
    await waitFor(() => expect(widgets()).toHaveLength(1));
  });

  it('init returns a promise of a handle whose commands drive that widget', async () => {
    vi.stubGlobal('fetch', graphqlFetch());
    const BookingChat = bootWithApp({ script: null });
    const widget = await BookingChat.init({ tenant: 'acme', preload: 'open' });
    const opened = vi.fn();
    widget.on('open', opened);
    widget.toggle();
    expect(opened).toHaveBeenCalledTimes(1);
    expect(await shadowOf().findByRole('dialog')).toBeTruthy();
    widget.close();
    await waitFor(() => expect(shadowOf().queryByRole('dialog')).toBeNull());
    widget.destroy();
    expect(widgets()).toHaveLength(0);
  });

  it('rejects init without a tenant, with a clear reason', async () => {
    const BookingChat = bootWithApp({ script: null });
    await expect(BookingChat.init({})).rejects.toThrow(/tenant/);
  });

  it('can destroy everything and start again (single-page apps)', async () => {
    const BookingChat = bootWithApp();
    await BookingChat.init({ tenant: 'acme', preload: 'open' });
    BookingChat.destroy();
    expect(widgets()).toHaveLength(0);
    await BookingChat.init({ tenant: 'acme', preload: 'open' });
    expect(widgets()).toHaveLength(1);
  });
});

describe('loading the script twice', () => {
  it('never makes two widgets and fires bookingchat:ready once', async () => {
    const readyEvents = vi.fn();
    window.addEventListener('bookingchat:ready', readyEvents);
    const first = bootLoader();
    const second = bootLoader();
    expect(second).toBe(first);
    await first.init({ tenant: 'acme', preload: 'open' });
    await new Promise((r) => setTimeout(r, 0));
    expect(widgets()).toHaveLength(1);
    expect(readyEvents).toHaveBeenCalledTimes(1);
    expect(readyEvents.mock.calls[0][0].detail).toEqual({ tenant: 'acme', version: '1.4.0' });
    window.removeEventListener('bookingchat:ready', readyEvents);
  });

  it('keeps the first version and warns when another version loads', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const first = bootLoader({ version: '1.4.0' });
    const second = bootLoader({ version: '1.5.0' });
    expect(second.version).toBe('1.4.0');
    expect(first).toBe(second);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/1\.4\.0 is already loaded; ignoring 1\.5\.0/));
    await waitFor(() => expect(widgets()).toHaveLength(1));
  });

  it('gives a second tenant on an inline mount its own shadow root', async () => {
    const target = document.createElement('section');
    target.id = 'chat-here';
    document.body.append(target);
    const BookingChat = bootLoader();
    await BookingChat.init({ tenant: 'other', mount: '#chat-here', preload: 'open' });
    await waitFor(() => expect(widgets()).toHaveLength(2));
    expect(target.querySelector('[data-booking-chat="other"]').shadowRoot).toBeTruthy();
  });
});

describe('the launcher and the app script', () => {
  it('draws an accessible launcher at once and fetches nothing until it is used', async () => {
    bootLoader();
    const launcher = await waitFor(() => shadowOf().getByRole('button', { name: 'Open booking chat' }));
    expect(launcher.getAttribute('aria-expanded')).toBe('false');
    expect(launcher.getAttribute('aria-controls')).toBe('bkc-panel');
    expect(appScripts()).toHaveLength(0);
  });

  it('loads the app of its own version next to its own src, with SRI, when opened', async () => {
    bootLoader({ src: 'https://cdn.example.com/chat-widget/v1.4.0/chat-widget.js' });
    const launcher = await waitFor(() => shadowOf().getByRole('button', { name: 'Open booking chat' }));
    await userEvent.click(launcher);
    const [tag] = appScripts();
    expect(tag.src).toBe('https://cdn.example.com/chat-widget/v1.4.0/chat-widget.app.js');
    expect(tag.integrity).toBe(INTEGRITY);
    expect(tag.crossOrigin).toBe('anonymous');
    expect(launcher.getAttribute('aria-busy')).toBe('true');
    expect(launcher.getAttribute('aria-expanded')).toBe('true');
  });

  it('loads the app of its own version from a channel loader (/latest/ → /v1.4.0/)', () => {
    expect(appUrlFor('https://cdn.example.com/latest/chat-widget.js', 'chat-widget.app.js', undefined, '1.4.0')).toBe(
      'https://cdn.example.com/v1.4.0/chat-widget.app.js',
    );
    expect(appUrlFor('https://cdn.example.com/chat-widget/beta/chat-widget.js', 'chat-widget.app.js', undefined, '1.5.0-beta.2')).toBe(
      'https://cdn.example.com/chat-widget/v1.5.0-beta.2/chat-widget.app.js',
    );
  });

  it('loads the app next to the loader anywhere else (version directory, dev server)', () => {
    expect(appUrlFor('https://cdn.example.com/v1.4.0/chat-widget.js', 'chat-widget.app.js', undefined, '1.4.0')).toBe(
      'https://cdn.example.com/v1.4.0/chat-widget.app.js',
    );
    expect(appUrlFor('http://127.0.0.1:5173/build/chat-widget.js', 'chat-widget.app.js', undefined, '0.0.0-dev')).toBe(
      'http://127.0.0.1:5173/build/chat-widget.app.js',
    );
  });

  it('mounts the app when the app script registers itself', async () => {
    const BookingChat = bootLoader();
    const launcher = await waitFor(() => shadowOf().getByRole('button', { name: 'Open booking chat' }));
    await userEvent.click(launcher);
    const mount = vi.fn(({ container }) => {
      container.textContent = 'app here';
      return { setOpen: vi.fn(), setLocale: vi.fn(), destroy: vi.fn() };
    });
    BookingChat._defineApp('1.4.0', { mount });
    await waitFor(() => expect(mount).toHaveBeenCalledTimes(1));
    expect(mount.mock.calls[0][0]).toMatchObject({ open: true, inline: false, options: { tenant: 'acme', apiKey: 'key-123' } });
    expect(await shadowOf().findByText('app here')).toBeTruthy();
    expect(launcher.getAttribute('aria-busy')).toBe('false');
  });

  it('says the chat is unavailable when the app fails to load (e.g. SRI mismatch), and retries on the next click', async () => {
    const BookingChat = bootLoader();
    const errors = vi.fn();
    BookingChat.on('error', errors);
    const launcher = await waitFor(() => shadowOf().getByRole('button', { name: 'Open booking chat' }));
    await userEvent.click(launcher);
    appScripts()[0].dispatchEvent(new Event('error'));
    await waitFor(() => expect(launcher.getAttribute('aria-label')).toBe('Booking chat is unavailable, try again'));
    expect(launcher.getAttribute('aria-expanded')).toBe('false');
    expect(errors).toHaveBeenCalledWith(expect.objectContaining({ code: 'app_load' }));
    expect(appScripts()).toHaveLength(0);
    await userEvent.click(launcher);
    expect(appScripts()).toHaveLength(1);
  });

  it('fetches nothing until intent, then the app when the visitor points at or focuses the launcher', async () => {
    for (const type of ['pointerenter', 'focus']) {
      bootLoader({ data: { preload: undefined } });
      const launcher = await waitFor(() => shadowOf().getByRole('button'));
      await new Promise((r) => setTimeout(r, 50));
      expect(appScripts()).toHaveLength(0);
      launcher.dispatchEvent(new Event(type));
      expect(appScripts()).toHaveLength(1);
      window.BookingChat.destroy();
      for (const s of appScripts()) s.remove();
      delete window.BookingChat;
    }
  });

  it('preloads the app when the page goes idle with data-preload="idle"', async () => {
    let idle;
    window.requestIdleCallback = (fn) => {
      idle = fn;
      return 1;
    };
    window.cancelIdleCallback = () => {};
    try {
      bootLoader({ data: { preload: 'idle' } });
      await waitFor(() => expect(typeof idle).toBe('function'));
      expect(appScripts()).toHaveLength(0);
      idle();
      expect(appScripts()).toHaveLength(1);
    } finally {
      delete window.requestIdleCallback;
      delete window.cancelIdleCallback;
    }
  });

  it('labels the launcher in Spanish from data-locale', async () => {
    bootLoader({ data: { locale: 'es' } });
    expect(await waitFor(() => shadowOf().getByRole('button', { name: 'Abrir chat de reservas' }))).toBeTruthy();
  });

  it('honours data-position and data-z-index in the shadow root only', async () => {
    bootLoader({ data: { position: 'bottom-left', zIndex: '1234' } });
    await waitFor(() => expect(widgets()).toHaveLength(1));
    const css = widgets()[0].shadowRoot.querySelector('style').textContent;
    expect(css).toContain('left:20px');
    expect(css).toContain('z-index:1234');
    expect(document.head.querySelectorAll('style')).toHaveLength(0);
  });

  it('writes no global but window.BookingChat', async () => {
    vi.stubGlobal('fetch', graphqlFetch());
    const before = new Set(Object.keys(window));
    const BookingChat = bootWithApp();
    await BookingChat.init({ tenant: 'acme', preload: 'open' });
    BookingChat.open();
    await shadowOf().findByRole('dialog');
    const added = Object.keys(window).filter((k) => !before.has(k));
    expect(added).toEqual(['BookingChat']);
  });
});
