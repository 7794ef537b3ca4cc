/* The GraphQL operations file and the fetch client. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPERATIONS, createClient } from '../src/api/client.js';
import { splitOperations } from '../src/api/documents.js';
import { resolveLocale } from '../src/shared/locale.js';
import { createWidgetTheme, safeColor } from '../src/app/theme.js';
import { graphqlFetch, raw } from './helpers.js';

describe('operations.graphql', () => {
  it('holds exactly the five named operations of the contract', () => {
    expect(Object.keys(OPERATIONS).sort()).toEqual(['Availability', 'ReportClientEvent', 'SendMessage', 'Services', 'TenantConfig']);
    expect(OPERATIONS.SendMessage).toMatch(/^mutation SendMessage\(\$input: SendMessageInput!\)/);
    expect(OPERATIONS.Availability).toContain('availability(serviceId: $serviceId, date: $date)');
    expect(OPERATIONS.SendMessage).toMatch(/booking \{[^}]*\breference\b/); // the card shows it
  });

  it('refuses an operation defined twice', () => {
    expect(() => splitOperations('query A { a }\nquery A { b }')).toThrow(/defined twice/);
  });
});

describe('the client', () => {
  const client = (handlers) => createClient({ endpoint: 'https://api.example.com/graphql', apiKey: 'k', fetchImpl: graphqlFetch(handlers) });

  it('posts query, variables and operationName', async () => {
    const fetchImpl = graphqlFetch({ Availability: (v) => ({ availability: { serviceId: v.serviceId, date: v.date, slots: [] } }) });
    const c = createClient({ endpoint: 'https://api.example.com/graphql', apiKey: 'k', fetchImpl });
    const out = await c.availability('svc', '2026-12-01');
    expect(out).toEqual({ serviceId: 'svc', date: '2026-12-01', slots: [] });
    expect(fetchImpl.calls[0].body).toEqual({ query: OPERATIONS.Availability, variables: { serviceId: 'svc', date: '2026-12-01' }, operationName: 'Availability' });
  });

  it.each([
    ['a rejected fetch', () => { throw new TypeError('Failed to fetch'); }, 'network'],
    ['HTTP 401', () => raw(401, {}), 'unauthorized'],
    ['an UnauthorizedException in a 200', () => raw(200, { errors: [{ errorType: 'UnauthorizedException', message: 'no' }] }), 'unauthorized'],
    ['HTTP 429', () => raw(429, {}), 'rate_limited'],
    ['a throttling error', () => raw(200, { errors: [{ errorType: 'ThrottlingException', message: 'slow down' }] }), 'rate_limited'],
    ['HTTP 500', () => raw(500, { message: 'x' }), 'server'],
  ])('turns %s into code %s', async (_label, handler, code) => {
    await expect(client({ Services: handler }).services()).rejects.toMatchObject({ name: 'ChatApiError', code });
  });
});

describe('choosing the language', () => {
  it('prefers data-locale, then <html lang>, then the browser, then the tenant default', () => {
    expect(resolveLocale({ requested: 'es', htmlLang: 'en', languages: ['en'], tenantDefault: 'en' })).toBe('es');
    expect(resolveLocale({ htmlLang: 'es-MX', languages: ['en-US'], tenantDefault: 'en' })).toBe('es');
    expect(resolveLocale({ htmlLang: 'de', languages: ['fr', 'es-ES'], tenantDefault: 'en' })).toBe('es');
    expect(resolveLocale({ htmlLang: 'de', languages: ['fr'], tenantDefault: 'es' })).toBe('es');
    expect(resolveLocale({ htmlLang: 'de', languages: ['fr'] })).toBe('en');
  });
});

describe('the theme', () => {
  it('sizes type in px so a host html { font-size: 62.5% } cannot shrink it', () => {
    const theme = createWidgetTheme('#123456', null);
    expect(theme.typography.body1.fontSize).toMatch(/px$/);
    expect(theme.typography.pxToRem(16)).toBe('16px');
    expect(theme.palette.primary.main).toBe('#123456');
  });

  it('ignores a tenant colour that is not a hex colour', () => {
    expect(safeColor('red; background:url(x)')).toBe('#1565c0');
  });
});

describe('the lock file', () => {
  it('carries no URLs (repo rule; npm run lock:clean fixes it)', () => {
    const lock = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'package-lock.json'), 'utf8');
    expect(lock).not.toMatch(/https?:\/\//);
  });
});
