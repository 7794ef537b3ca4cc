/**
 * Error reporting for the widget's own code, switched on per environment at run time.
 *
 * The widget is built once and promoted as the same bytes, so nothing about Sentry is in the bundle
 * but the SDK's code: the DSN, environment and sample rate come from the environment's
 * `observability.json` on the CDN (written by the orchestrator or `./inv local-dev --sentry-dsn`).
 * No file, or no DSN in it → the SDK module is never imported and nothing is sent.
 *
 * Only errors we catch ourselves are reported (React render errors, our promise rejections):
 * no global handlers, so the host page's errors are never captured.
 */
import { createRedactor } from './scrub.js';

export const RELEASE_PREFIX = 'booking-chat-widget@';
const CONFIG_FILE = 'observability.json';

/**
 * Where the environment's config sits for an app loaded from `src`: the CDN root beside the
 * version directories (`/v1.4.0/chat-widget.app.js` → `/observability.json`), else next to the script.
 */
export function configUrlFor(src) {
  if (!src) return null;
  const here = new URL('.', src);
  const dir = here.pathname.split('/').filter(Boolean).pop() ?? '';
  return new URL(/^v\d+\.\d+\.\d+/.test(dir) ? `../${CONFIG_FILE}` : CONFIG_FILE, here).href;
}

/** The config's `sentry` block if it turns reporting on, else null. */
export function sentrySettings(config) {
  const s = config?.sentry;
  if (!s || typeof s.dsn !== 'string' || !/^https?:\/\//.test(s.dsn)) return null;
  const rate = Number(s.sampleRate ?? 1);
  return {
    dsn: s.dsn,
    environment: typeof s.environment === 'string' && s.environment ? s.environment : 'production',
    sampleRate: Number.isFinite(rate) ? Math.min(Math.max(rate, 0), 1) : 1,
    tunnel: typeof s.tunnel === 'string' && s.tunnel ? s.tunnel : undefined,
  };
}

const NOOP = { capture() {}, remember() {}, ready: Promise.resolve(false) };

/**
 * A reporter: `capture(error)` and `remember(chatText)` (for scrubbing). Reports that arrive
 * before the SDK has loaded are queued, then sent; when reporting is off they are dropped.
 */
export function createReporter({ configUrl, tenant, version, fetchImpl = globalThis.fetch, importSdk = () => import('./sentry.js') }) {
  if (!configUrl || typeof fetchImpl !== 'function') return NOOP;
  const redactor = createRedactor();
  const queue = [];
  let client = null;
  const ready = fetchImpl(configUrl, { credentials: 'omit', cache: 'no-cache' })
    .then((res) => (res.ok ? res.json() : null))
    .then(sentrySettings)
    .then(async (settings) => {
      if (!settings) return false;
      const sdk = await importSdk();
      client = sdk.createSentryClient({ ...settings, release: `${RELEASE_PREFIX}${version}`, tenant, redactor });
      for (const error of queue.splice(0)) client.capture(error);
      return true;
    })
    .catch(() => false) // reporting must never break the widget
    .finally(() => {
      queue.length = 0;
    });
  return {
    capture(error) {
      if (client) client.capture(error);
      else queue.push(error);
    },
    remember: redactor.remember,
    ready,
  };
}
