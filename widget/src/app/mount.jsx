/**
 * Mount the React app into the container the loader gave it, inside the widget's shadow root.
 *
 * Styles go into that shadow root (an Emotion cache whose container is the shadow root, with the
 * page's CSP nonce), never into the host page's <head>.
 */
import { Component } from 'react';
import { createRoot } from 'react-dom/client';
import createCache from '@emotion/cache';
import { CacheProvider } from '@emotion/react';
import { App } from './App.jsx';
import { createClient } from '../api/client.js';
import { configUrlFor, createReporter } from './observability.js';
import { createHealth } from './health.js';

// Read while this script runs (a classic script: currentScript is us), to find the environment's config.
const APP_SRC = typeof document !== 'undefined' ? document.currentScript?.src : undefined;

/** Reports a render error of ours; the host page's errors never pass through here. */
class ReportErrors extends Component {
  componentDidCatch(error) {
    this.props.reporter.capture(error);
  }

  static getDerivedStateFromError() {
    return { failed: true };
  }

  render() {
    return this.state?.failed ? null : this.props.children;
  }
}

/** The API client, reporting rejections that are bugs (no API error `code`), not network or server answers. */
function reportingClient(client, reporter) {
  const out = {};
  for (const [name, fn] of Object.entries(client)) {
    out[name] =
      typeof fn !== 'function'
        ? fn
        : (...args) =>
            Promise.resolve(fn(...args)).catch((err) => {
              if (!err?.code) reporter.capture(err);
              throw err;
            });
  }
  return out;
}

let instances = 0;

/** Emotion keys allow only a-z and '-': 1 → a, 2 → b, … 27 → ba. */
function emotionSuffix(n) {
  return n.toString(26).replace(/./g, (c) => String.fromCharCode(97 + parseInt(c, 26)));
}

export function mountApp({ shadowRoot, container, options, inline, open, onRequestClose, onTheme, emit, fetchImpl, reporter: given, healthDelayMs }) {
  instances += 1;
  // Which app runs here (a canaried tenant runs another version than its loader): for people and tests.
  container.setAttribute('data-version', __WIDGET_VERSION__);
  const api = createClient({ endpoint: options.endpoint, apiKey: options.apiKey, fetchImpl });
  // Client health for the canary judge; its own reports go through the plain client (never counted).
  const health = createHealth({ version: __WIDGET_VERSION__, send: api.reportClientEvent, delayMs: healthDelayMs });
  health.boot();
  const errors =
    given ?? createReporter({ configUrl: configUrlFor(APP_SRC), tenant: options.tenant, version: __WIDGET_VERSION__, fetchImpl });
  const reporter = {
    ...errors,
    capture(error) {
      health.error();
      errors.capture(error);
    },
  };
  // Every chat text is remembered for the scrubber before anyone (host listeners included) sees it.
  const emitAndRemember = (type, detail) => {
    if (type === 'message') reporter.remember(detail?.text);
    if (type === 'error') health.onErrorEvent(detail);
    return emit?.(type, detail);
  };
  const cache = createCache({ key: `bkc-${emotionSuffix(instances)}`, container: shadowRoot, prepend: true, nonce: options.nonce });
  const client = reportingClient(api, reporter);
  const root = createRoot(container);
  let props = { open, locale: options.locale };
  const render = () =>
    root.render(
      <CacheProvider value={cache}>
        <ReportErrors reporter={reporter}>
        <App
          client={client}
          tenant={options.tenant}
          inline={inline}
          container={container}
          onRequestClose={onRequestClose}
          onTheme={onTheme}
          emit={emitAndRemember}
          open={props.open}
          locale={props.locale}
        />
        </ReportErrors>
      </CacheProvider>,
    );
  render();
  return {
    setOpen(value) {
      props = { ...props, open: Boolean(value) };
      render();
    },
    setLocale(value) {
      props = { ...props, locale: value };
      render();
    },
    destroy() {
      root.unmount();
    },
  };
}
