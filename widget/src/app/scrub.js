/**
 * What may leave the visitor's browser in an error report: the `beforeSend` of the widget's Sentry client.
 *
 * Pure and SDK-free, so it is tested on plain events and costs nothing when no DSN is configured.
 * Three layers, because no single one is enough:
 *   1. fields that only ever hold private data are dropped (user, request body/cookies/headers, breadcrumbs);
 *   2. every string left is searched for the texts this widget instance has seen in the chat
 *      (the redactor's list), so an error message that quotes the visitor's words loses them;
 *   3. patterns: e-mail addresses, phone numbers, API keys (AppSync `da2-…`, bearer tokens, JWTs).
 * Keys named like private data (`text`, `customerName`, `apiKey`, …) lose their value whatever it is.
 */
export const REDACTED = '[redacted]';

const PRIVATE_KEYS = /^(text|message|messages|input|content|customer_?name|phone|e-?mail|api_?key|x-api-key|authorization|token|client_?token|password)$/i;

const PATTERNS = [
  /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, // e-mail
  /\bda2-[a-z0-9]{20,}\b/gi, // AppSync API key
  /\beyJ[\w-]+\.[\w-]+\.[\w-]+/g, // JWT
  /\bBearer\s+[\w.~+/-]+=*/gi,
  /(?:\+|\b)\d[\d ().-]{6,}\d\b/g, // phone numbers: 8+ digits with separators
];

const MIN_SECRET_LENGTH = 3; // shorter texts ("ok", "no") would shred every stack frame
const MAX_SECRETS = 100;

/** The texts of this widget's chat, remembered so that a report quoting one of them can drop it. */
export function createRedactor() {
  const secrets = [];
  return {
    remember(text) {
      const value = typeof text === 'string' ? text.trim() : '';
      if (value.length < MIN_SECRET_LENGTH || secrets.includes(value)) return;
      secrets.push(value);
      if (secrets.length > MAX_SECRETS) secrets.shift();
    },
    secrets: () => secrets.slice().sort((a, b) => b.length - a.length),
  };
}

export function scrubString(value, secrets = []) {
  let out = value;
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  for (const pattern of PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}

function scrubValue(value, secrets, depth) {
  if (typeof value === 'string') return scrubString(value, secrets);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, secrets, depth + 1));
  const out = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = PRIVATE_KEYS.test(key) && typeof v !== 'object' ? REDACTED : scrubValue(v, secrets, depth + 1);
  }
  return out;
}

/** The URL without query and fragment: hosts put e-mails and tokens in both. */
function bareUrl(url) {
  return typeof url === 'string' ? url.replace(/[?#].*$/, '') : url;
}

/** Sentry's `beforeSend`: a scrubbed copy of `event` (never null: the report itself is wanted). */
export function scrubEvent(event, secrets = []) {
  const rest = { ...event };
  for (const key of ['user', 'breadcrumbs', 'request', 'exception']) delete rest[key];
  const { request, exception } = event;
  const out = scrubValue(rest, secrets, 0);
  // Structural fields the SDK and Sentry's symbolicator need are kept as they are.
  for (const key of ['event_id', 'timestamp', 'platform', 'release', 'environment', 'sdk', 'debug_meta', 'level']) {
    if (key in event) out[key] = event[key];
  }
  if (request) out.request = { url: bareUrl(request.url) };
  if (exception) {
    out.exception = {
      ...exception,
      values: (exception.values ?? []).map((ex) => ({
        ...ex,
        value: typeof ex.value === 'string' ? scrubString(ex.value, secrets) : ex.value,
        stacktrace: ex.stacktrace && {
          ...ex.stacktrace,
          frames: (ex.stacktrace.frames ?? []).map(({ vars: _vars, ...frame }) => ({ ...frame, abs_path: bareUrl(frame.abs_path), filename: bareUrl(frame.filename) })),
        },
      })),
    };
  }
  return out;
}
