/*
 * `npm start`: boots the widget from source (loader + app in one module graph, as in the UMD
 * build) so Vite hot-reloads both. The GraphQL endpoint comes from VITE_GRAPHQL_ENDPOINT
 * (e.g. the local-dev GraphQL stand-in); without it, a small in-page mock answers.
 */
import { boot } from '../src/loader/registry.js';
import { mountApp } from '../src/app/mount.jsx';
import { mockFetch } from './mock-api.js';

const script = document.querySelector('script[data-booking-chat-dev]');
const endpoint = import.meta.env.VITE_GRAPHQL_ENDPOINT;
script.dataset.endpoint = endpoint || 'mock:';
if (import.meta.env.VITE_API_KEY) script.dataset.apiKey = import.meta.env.VITE_API_KEY;
if (import.meta.env.VITE_TENANT) script.dataset.tenant = import.meta.env.VITE_TENANT;
// ?open=1&locale=en&position=bottom-left: try attributes without editing index.html.
for (const [key, value] of new URLSearchParams(location.search)) {
  if (['open', 'locale', 'position', 'zIndex', 'mount'].includes(key)) script.dataset[key] = value;
}

const app = {
  version: __WIDGET_VERSION__,
  mount: (options) => mountApp({ ...options, fetchImpl: endpoint ? undefined : mockFetch }),
};
boot({ win: window, script, version: __WIDGET_VERSION__, createAppLoader: () => () => Promise.resolve(app) });
console.info(`[booking chat] dev server, GraphQL: ${endpoint || 'in-page mock (set VITE_GRAPHQL_ENDPOINT)'}`);
