// Error reporting: switched on only by the environment's config, and scrubbed before it leaves.
// The Sentry tests run the real @sentry/browser client and its real fetch transport; only the
// network call at the very end is recorded instead of sent (no Sentry server runs here).
import { describe, expect, it, vi } from 'vitest';
import { makeFetchTransport } from '@sentry/browser';
import { configUrlFor, createReporter, sentrySettings } from '../src/app/observability.js';
import { createRedactor, scrubEvent, REDACTED } from '../src/app/scrub.js';
import { createSentryClient } from '../src/app/sentry.js';

const DSN = 'http://publickey@127.0.0.1:9/42';
const json = (body, status = 200) => Promise.resolve(new Response(JSON.stringify(body), { status }));

function recordingTransport(sent) {
  const fetchImpl = async (url, init) => {
    sent.push({ url, body: typeof init.body === 'string' ? init.body : new TextDecoder().decode(init.body) });
    return new Response('{}', { status: 200 });
  };
  return (options) => makeFetchTransport(options, fetchImpl);
}

function envelopeItems(body) {
  const lines = body.split('\n').filter(Boolean);
  return lines.slice(1).map((line) => JSON.parse(line));
}

describe('where the environment config is read from', () => {
  it('is the CDN root for a versioned app, else beside the script', () => {
    expect(configUrlFor('https://cdn.example/v1.4.0/chat-widget.app.js')).toBe('https://cdn.example/observability.json');
    expect(configUrlFor('https://cdn.example/v1.5.0-beta.2/chat-widget.app.js')).toBe('https://cdn.example/observability.json');
    expect(configUrlFor('http://127.0.0.1:5173/build/chat-widget.umd.js')).toBe('http://127.0.0.1:5173/build/observability.json');
    expect(configUrlFor(undefined)).toBeNull();
  });

  it('turns reporting on only with an http(s) DSN', () => {
    expect(sentrySettings(null)).toBeNull();
    expect(sentrySettings({})).toBeNull();
    expect(sentrySettings({ sentry: { dsn: '' } })).toBeNull();
    expect(sentrySettings({ sentry: { dsn: 'javascript:alert(1)' } })).toBeNull();
    expect(sentrySettings({ sentry: { dsn: DSN, environment: 'qa', sampleRate: 5 } })).toEqual({
      dsn: DSN,
      environment: 'qa',
      sampleRate: 1,
      tunnel: undefined,
    });
  });
});

describe('no DSN: the SDK is never loaded', () => {
  for (const [label, fetchImpl] of [
    ['no config file (404)', () => json({}, 404)],
    ['a config without sentry', () => json({ other: 1 })],
    ['a config with an empty DSN', () => json({ sentry: { dsn: '' } })],
    ['the config request fails', () => Promise.reject(new TypeError('offline'))],
  ]) {
    it(label, async () => {
      const importSdk = vi.fn();
      const reporter = createReporter({ configUrl: 'https://cdn.example/observability.json', tenant: 't1', version: '1.0.0', fetchImpl, importSdk });
      reporter.capture(new Error('boom'));
      expect(await reporter.ready).toBe(false);
      expect(importSdk).not.toHaveBeenCalled();
    });
  }

  it('without a script URL nothing is even fetched', async () => {
    const fetchImpl = vi.fn();
    const reporter = createReporter({ configUrl: null, tenant: 't1', version: '1.0.0', fetchImpl, importSdk: vi.fn() });
    reporter.capture(new Error('boom'));
    expect(await reporter.ready).toBe(false);
    expect(fetchImpl).not.toHaveBeenCalled();
  });
});

describe('with a DSN: the real SDK reports our errors, scrubbed', () => {
  it('sends an early error once the SDK has loaded, with release, environment and tenant', async () => {
    const sent = [];
    const importSdk = vi.fn(async () => {
      const sdk = await import('../src/app/sentry.js');
      return { createSentryClient: (o) => sdk.createSentryClient({ ...o, transport: recordingTransport(sent) }) };
    });
    const reporter = createReporter({
      configUrl: 'https://cdn.example/observability.json',
      tenant: 'acme-dental',
      version: '1.4.0',
      fetchImpl: () => json({ sentry: { dsn: DSN, environment: 'qa', sampleRate: 1 } }),
      importSdk,
    });
    reporter.capture(new Error('before load'));
    expect(await reporter.ready).toBe(true);
    expect(importSdk).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0].url).toMatch(/^http:\/\/127\.0\.0\.1:9\/api\/42\/envelope\/\?.*sentry_key=publickey/);
    const [, event] = envelopeItems(sent[0].body);
    expect(event.release).toBe('booking-chat-widget@1.4.0');
    expect(event.environment).toBe('qa');
    expect(event.tags).toEqual({ tenant: 'acme-dental' });
    expect(event.exception.values[0].value).toBe('before load');
  });

  it('a real captured event carries no chat text, names, phones, e-mails or keys', async () => {
    const sent = [];
    const redactor = createRedactor();
    redactor.remember('I need a root canal for Jane Doe tomorrow');
    redactor.remember('Jane Doe');
    const client = createSentryClient({
      dsn: DSN,
      environment: 'prod',
      sampleRate: 1,
      release: 'booking-chat-widget@1.4.0',
      tenant: 'acme-dental',
      redactor,
      transport: recordingTransport(sent),
    });
    const err = new Error(
      'cannot book "I need a root canal for Jane Doe tomorrow": jane.doe@example.com, +1 (555) 123-4567, key da2-abcdefghijklmnopqrstuvwxyz',
    );
    client.capture(err);
    await client.flush(2000);
    expect(sent).toHaveLength(1);
    const body = sent[0].body;
    for (const secret of ['root canal', 'Jane Doe', 'jane.doe@example.com', '555) 123-4567', 'da2-abcdefghij']) {
      expect(body).not.toContain(secret);
    }
    const [, event] = envelopeItems(body);
    expect(event.exception.values[0].value).toBe(`cannot book "${REDACTED}": ${REDACTED}, ${REDACTED}, key ${REDACTED}`);
    expect(event.release).toBe('booking-chat-widget@1.4.0');
    expect(event.user).toBeUndefined();
  });
});

describe('scrubEvent', () => {
  it('drops user, breadcrumbs, request bodies, URL queries and private keys', () => {
    const out = scrubEvent(
      {
        event_id: 'abc',
        release: 'booking-chat-widget@1.0.0',
        user: { ip_address: '203.0.113.9', email: 'a@b.co' },
        breadcrumbs: [{ message: 'typed Jane' }],
        request: { url: 'https://host.example/page?email=a@b.co#tok', headers: { Cookie: 'x' }, data: 'chat' },
        extra: { input: { text: 'hello there', customerName: 'Jane' }, note: 'call 0612345678' },
        tags: { tenant: 'acme' },
      },
      [],
    );
    expect(out).toEqual({
      event_id: 'abc',
      release: 'booking-chat-widget@1.0.0',
      request: { url: 'https://host.example/page' },
      extra: { input: { text: REDACTED, customerName: REDACTED }, note: `call ${REDACTED}` },
      tags: { tenant: 'acme' },
    });
  });
});
