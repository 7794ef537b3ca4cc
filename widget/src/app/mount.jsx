/**
 * Mount the React app into the container the loader gave it, inside the widget's shadow root.
 *
 * Styles go into that shadow root (an Emotion cache whose container is the shadow root, with the
 * page's CSP nonce), never into the host page's <head>.
 */
import { createRoot } from 'react-dom/client';
import createCache from '@emotion/cache';
import { CacheProvider } from '@emotion/react';
import { App } from './App.jsx';
import { createClient } from '../api/client.js';

let instances = 0;

/** Emotion keys allow only a-z and '-': 1 → a, 2 → b, … 27 → ba. */
function emotionSuffix(n) {
  return n.toString(26).replace(/./g, (c) => String.fromCharCode(97 + parseInt(c, 26)));
}

export function mountApp({ shadowRoot, container, options, inline, open, onRequestClose, onTheme, emit, fetchImpl }) {
  instances += 1;
  // Which app runs here (a canaried tenant runs another version than its loader): for people and tests.
  container.setAttribute('data-version', __WIDGET_VERSION__);
  const cache = createCache({ key: `bkc-${emotionSuffix(instances)}`, container: shadowRoot, prepend: true, nonce: options.nonce });
  const client = createClient({ endpoint: options.endpoint, apiKey: options.apiKey, fetchImpl });
  const root = createRoot(container);
  let props = { open, locale: options.locale };
  const render = () =>
    root.render(
      <CacheProvider value={cache}>
        <App
          client={client}
          tenant={options.tenant}
          inline={inline}
          container={container}
          onRequestClose={onRequestClose}
          onTheme={onTheme}
          emit={emit}
          open={props.open}
          locale={props.locale}
        />
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
