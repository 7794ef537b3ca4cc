/**
 * Canary routing: which app version this tenant's loader loads. The mirror, rule for rule, of
 * `orchestrator/core/canary.py` (both are checked against test/canary-vectors.json).
 *
 * Only a loader served from /latest/ or /stable/ is routed (a pinned /v1.4.0/ tag is the tenant's
 * choice). Bucketing is by tenant, never by visitor. Anything odd — no object, bad JSON, unknown
 * schema, no WebCrypto — means "own version": the canary can never break a page.
 */
const SRI = /^sha384-[A-Za-z0-9+/]{64}$/;
const VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
export const ROUTED = ['latest', 'stable'];

export function fnv1a32(text) {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h;
}

export const bucket = (salt, tenant) => fnv1a32(String(fnv1a32(`${salt}:${tenant}`))) % 10000;

async function digest(crypto, text) {
  const buf = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
}

function activeCanary(obj) {
  const c = obj?.canary;
  if (obj?.schema !== 1 || obj.state !== 'active' || !c || typeof c !== 'object') return null;
  const ok =
    typeof c.version === 'string' && VERSION.test(c.version) &&
    typeof c.integrity === 'string' && SRI.test(c.integrity) &&
    typeof c.salt === 'string' &&
    Number.isInteger(c.percent_bp) && c.percent_bp >= 0 && c.percent_bp <= 10000 &&
    Array.isArray(c.tenants) && c.tenants.every((t) => typeof t === 'string');
  return ok ? c : null;
}

/** `{version, integrity}` of the app to load instead of the loader's own, or null. Never throws. */
export async function decide(obj, tenant, channel, ownVersion, crypto = globalThis.crypto) {
  try {
    if (!ROUTED.includes(channel) || !tenant) return null;
    const c = activeCanary(obj);
    if (!c || c.version === ownVersion) return null;
    const chosen = bucket(c.salt, tenant) < c.percent_bp || c.tenants.includes(await digest(crypto, `${c.salt}:${tenant}`));
    return chosen ? { version: c.version, integrity: c.integrity } : null;
  } catch {
    return null;
  }
}

/** Fetch the routing object beside the channel and decide; null on any failure. */
export async function route({ fetch, url, tenant, channel, version, crypto }) {
  if (!ROUTED.includes(channel) || !tenant || !fetch) return null;
  try {
    const res = await fetch(url, { credentials: 'omit' });
    return res.ok ? await decide(await res.json(), tenant, channel, version, crypto) : null;
  } catch {
    return null;
  }
}
