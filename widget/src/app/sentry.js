/**
 * The Sentry SDK, imported only when the environment turns reporting on (see observability.js).
 *
 * A scoped `BrowserClient` + `Scope`, never `Sentry.init`: as Sentry's guide for shared environments
 * says, a widget on someone else's page must not install global handlers or touch the host's own
 * Sentry hub. No default integrations (no GlobalHandlers, Breadcrumbs, sessions, TryCatch wrapping).
 */
import { BrowserClient, Scope, defaultStackParser, makeFetchTransport, dedupeIntegration, linkedErrorsIntegration } from '@sentry/browser';
import { scrubEvent } from './scrub.js';

export function createSentryClient({ dsn, environment, sampleRate, tunnel, release, tenant, redactor, transport = makeFetchTransport }) {
  const client = new BrowserClient({
    dsn,
    tunnel,
    release,
    environment,
    sampleRate,
    transport,
    stackParser: defaultStackParser,
    integrations: [dedupeIntegration(), linkedErrorsIntegration()],
    sendDefaultPii: false,
    maxBreadcrumbs: 0,
    beforeSend: (event) => scrubEvent(event, redactor.secrets()),
  });
  const scope = new Scope();
  scope.setClient(client);
  scope.setTag('tenant', tenant || 'unknown');
  client.init();
  return {
    capture(error) {
      scope.captureException(error);
    },
    flush: (ms) => client.flush(ms),
  };
}
