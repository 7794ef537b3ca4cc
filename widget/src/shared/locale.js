/**
 * Which language the widget speaks. Shared by the loader (launcher label) and the app.
 *
 * Precedence (issue 3): the tag's `data-locale` (or `setLocale`), then `<html lang>`, then the
 * browser's languages, then the tenant's default from the API, then English.
 */
export const SUPPORTED_LOCALES = ['es', 'en'];

export function normalizeLocale(value) {
  if (typeof value !== 'string') return null;
  const base = value.trim().toLowerCase().split(/[-_]/)[0];
  return SUPPORTED_LOCALES.includes(base) ? base : null;
}

export function resolveLocale({ requested, htmlLang, languages = [], tenantDefault } = {}) {
  const candidates = [requested, htmlLang, ...languages, tenantDefault];
  for (const candidate of candidates) {
    const locale = normalizeLocale(candidate);
    if (locale) return locale;
  }
  return 'en';
}

/** The locale sources a browser page offers, read at call time (setLocale may change them). */
export function pageLocaleSources(win = globalThis.window) {
  const doc = win?.document;
  const nav = win?.navigator;
  return {
    htmlLang: doc?.documentElement?.getAttribute('lang') ?? undefined,
    languages: nav?.languages?.length ? [...nav.languages] : nav?.language ? [nav.language] : [],
  };
}
