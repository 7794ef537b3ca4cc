// Smoke-test the built files as a page would run them (part of `npm run check:size`).
//
// jsdom runs build/chat-widget.js from a fake CDN URL, the launcher is clicked, the loader must
// fetch chat-widget.app.js next to itself with the integrity that matches the served bytes
// (jsdom does not enforce SRI, so this script compares), and the app must open its dialog and
// talk to a fetch double. Then the same for chat-widget.umd.js alone. Catches what unit tests on
// sources cannot: a broken IIFE wrapper, a leftover `process.env`, a wrong SRI digest.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSDOM, ResourceLoader, VirtualConsole } from 'jsdom';
import { digests } from './digests.mjs';

const BUILD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'build');
const CDN = 'https://cdn.example.test/chat-widget/v9.9.9/';

class BuildLoader extends ResourceLoader {
  constructor() {
    super();
    this.requests = [];
  }
  fetch(url, options) {
    this.requests.push({ url, integrity: options.element?.integrity ?? '' });
    if (!url.startsWith(CDN)) return Promise.reject(new Error(`unexpected fetch ${url}`));
    return Promise.resolve(readFileSync(path.join(BUILD, url.slice(CDN.length))));
  }
}

function fakeFetch(window) {
  return async (_url, init) => {
    const { operationName } = JSON.parse(init.body);
    const data =
      operationName === 'TenantConfig'
        ? { tenantConfig: { tenantId: 'acme', name: 'Smoke Salon', greeting: 'Hi from smoke', locale: 'en', timeZone: 'UTC', themeColor: '#00695c' } }
        : { sendMessage: { conversationId: 'c1', message: 'pong', quickReplies: [], booking: null, mode: 'GUIDED' } };
    return { status: 200, ok: true, json: async () => window.JSON.parse(JSON.stringify({ data })) };
  };
}

async function until(what, fn, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function run(file) {
  const errors = [];
  const virtualConsole = new VirtualConsole();
  virtualConsole.on('jsdomError', (e) => errors.push(e.message));
  virtualConsole.on('error', (...a) => errors.push(a.join(' ')));
  const loader = new BuildLoader();
  const dom = new JSDOM(
    `<!doctype html><html lang="en"><head></head><body><script src="${CDN}${file}" data-tenant="acme" data-api-key="k" data-endpoint="https://api.example.test/graphql" data-preload="open"></script></body></html>`,
    {
      url: 'https://tenant.example.test/',
      runScripts: 'dangerously',
      resources: loader,
      virtualConsole,
      beforeParse(window) {
        window.fetch = fakeFetch(window);
      },
    },
  );
  const { window } = dom;
  try {
    const host = await until('the widget host', () => window.document.querySelector('[data-booking-chat="acme"]'));
    const root = host.shadowRoot;
    const launcher = await until('the launcher', () => root.querySelector('button[aria-label="Open booking chat"]'));
    if (Object.keys(window).filter((k) => k === 'BookingChat').length !== 1) throw new Error('window.BookingChat missing');
    launcher.click();
    await until('the dialog', () => root.querySelector('[role="dialog"]'));
    await until('the greeting', () => root.textContent.includes('Hi from smoke'));
    if (window.document.head.querySelector('style')) throw new Error('a <style> leaked into the page head');
    const appRequest = loader.requests.find((r) => r.url.endsWith('chat-widget.app.js'));
    if (file === 'chat-widget.js') {
      if (!appRequest) throw new Error('the loader did not fetch chat-widget.app.js');
      if (appRequest.url !== `${CDN}chat-widget.app.js`) throw new Error(`app fetched from ${appRequest.url}`);
      const served = digests(readFileSync(path.join(BUILD, 'chat-widget.app.js'))).sha384;
      if (appRequest.integrity !== served) throw new Error(`integrity ${appRequest.integrity} != served ${served}`);
    } else if (appRequest) {
      throw new Error('the UMD build fetched the app separately');
    }
    if (errors.length) throw new Error(`page errors: ${errors.join(' | ')}`);
    return `${file}: launcher → app → dialog ok${appRequest ? ', app fetched with matching SRI' : ', no second fetch'}`;
  } finally {
    window.close();
  }
}

try {
  for (const file of ['chat-widget.js', 'chat-widget.umd.js']) console.log(`✓ ${await run(file)}`);
} catch (err) {
  console.error(`✗ smoke test of the built widget failed: ${err.message}`);
  process.exit(1);
}
