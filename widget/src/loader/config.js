/**
 * The widget's options: from the script tag's data-* attributes or from `BookingChat.init(opts)`.
 * One normalised shape, so the rest of the loader never reads the DOM for configuration.
 */
const POSITIONS = ['bottom-right', 'bottom-left'];
export const DEFAULT_Z_INDEX = 2147483000;

function readBoolean(value, fallback) {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'boolean') return value;
  return !/^(false|0|no|off)$/i.test(String(value));
}

export function normalizeOptions(raw = {}) {
  const zIndex = Number.parseInt(raw.zIndex, 10);
  const locale = typeof raw.locale === 'string' && raw.locale && raw.locale !== 'auto' ? raw.locale : undefined;
  return {
    tenant: raw.tenant ? String(raw.tenant) : '',
    apiKey: raw.apiKey ? String(raw.apiKey) : '',
    endpoint: raw.endpoint ? String(raw.endpoint) : '',
    locale,
    position: POSITIONS.includes(raw.position) ? raw.position : 'bottom-right',
    zIndex: Number.isFinite(zIndex) ? zIndex : DEFAULT_Z_INDEX,
    mount: raw.mount ? raw.mount : null,
    nonce: raw.nonce ? String(raw.nonce) : undefined,
    color: raw.color, // the launcher's colour before the app brings the tenant's (checked where it is used)
    open: readBoolean(raw.open, false),
    // `intent` (default): the app (and the canary routing) is fetched when the visitor points at,
    // focuses or touches the launcher; a visitor who never does downloads the loader only.
    preload: ['open', false, 'false'].includes(raw.preload) ? 'open' : raw.preload === 'idle' ? 'idle' : 'intent',
  };
}

/** Options from `<script data-tenant data-api-key data-endpoint data-locale data-position …>`. */
export function optionsFromScript(script) {
  if (!script) return null;
  const d = script.dataset ?? {};
  if (!d.tenant) return null;
  return normalizeOptions({
    tenant: d.tenant,
    apiKey: d.apiKey,
    endpoint: d.endpoint,
    locale: d.locale,
    position: d.position,
    zIndex: d.zIndex,
    mount: d.mount,
    // `nonce` is hidden from getAttribute once applied, but the IDL property keeps it.
    nonce: script.nonce || d.nonce,
    open: d.open,
    preload: d.preload,
    color: d.color,
  });
}

export function instanceKey(options) {
  const mount = typeof options.mount === 'string' ? options.mount : options.mount ? 'element' : 'floating';
  return `${options.tenant}|${mount}`;
}
