/* The launcher wears the tenant's colour before intent: `data-color`, or the colour of the last open. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { waitFor } from '@testing-library/dom';
import userEvent from '@testing-library/user-event';
import { boot } from '../src/loader/registry.js';
import { mountApp } from '../src/app/mount.jsx';
import { graphqlFetch, scriptTag, shadowOf } from './helpers.js';

/** Boot as a page does with intent loading (the default); `loads` counts app fetches. */
function page(data = {}) {
  const loads = vi.fn(() => Promise.resolve({ version: '1.4.0', mount: mountApp }));
  const registry = boot({ win: window, script: scriptTag({ preload: 'intent', ...data }), version: '1.4.0', createAppLoader: () => loads });
  return { registry, loads };
}

const colour = async (tenant = 'acme') => {
  let host;
  await waitFor(() => {
    host = document.querySelector(`[data-booking-chat="${tenant}"]`);
    expect(host).not.toBeNull();
  });
  return host.style.getPropertyValue('--bkc-primary');
};

/** A second page load: the old widget gone, the same script tag again. */
function reload(data) {
  window.BookingChat.destroy();
  delete window.BookingChat;
  document.body.replaceChildren();
  return page(data);
}

afterEach(() => vi.restoreAllMocks());

describe('the launcher colour before intent', () => {
  it('takes a hex data-color at once, without fetching the app', async () => {
    const { loads } = page({ color: '#0a7d3b' });
    expect(await colour()).toBe('#0a7d3b');
    await shadowOf().findByRole('button', { name: 'Open booking chat' });
    expect(loads).not.toHaveBeenCalled();
  });

  it.each(['red', '#12345', '#0a7d3b;background:url(//evil)', 'var(--x)', ''])('ignores data-color %j', async (value) => {
    page({ color: value });
    expect(await colour()).toBe('');
  });

  it('remembers the colour the app brought on the last open, per tenant, and prefers it to data-color', async () => {
    vi.stubGlobal('fetch', graphqlFetch());
    page({ color: '#0a7d3b' });
    expect(await colour()).toBe('#0a7d3b');
    await userEvent.click(await shadowOf().findByRole('button', { name: 'Open booking chat' }));
    await waitFor(() => expect(localStorage.getItem('bkc-color:acme')).toBe('#aa3300'));

    const { loads } = reload({ color: '#0a7d3b' });
    expect(await colour()).toBe('#aa3300');
    expect(loads).not.toHaveBeenCalled();

    reload({ tenant: 'other', color: '#0a7d3b' });
    expect(await colour('other')).toBe('#0a7d3b');
  });

  it('ignores a remembered value that is not a hex colour', async () => {
    localStorage.setItem('bkc-color:acme', 'url(//evil)');
    page({ color: '#0a7d3b' });
    expect(await colour()).toBe('#0a7d3b');
  });

  it('still works where storage throws (blocked cookies, private mode)', async () => {
    vi.spyOn(Storage.prototype, 'getItem').mockImplementation(() => {
      throw new DOMException('denied', 'SecurityError');
    });
    vi.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new DOMException('denied', 'SecurityError');
    });
    vi.stubGlobal('fetch', graphqlFetch());
    page({ color: '#0a7d3b' });
    expect(await colour()).toBe('#0a7d3b');
    await userEvent.click(await shadowOf().findByRole('button', { name: 'Open booking chat' }));
    await shadowOf().findByRole('textbox');
    await waitFor(async () => expect(await colour()).toBe('#aa3300'));
  });
});
