/**
 * The widget's GraphQL client: plain fetch, the tenant key in `Authorization`, nothing else (no AWS SDK).
 *
 * Every failure becomes a ChatApiError with a `code` the UI can explain:
 * `network` (fetch rejected), `unauthorized` (401/403 or an Unauthorized error), `rate_limited`
 * (429 or a throttling error), `server` (anything else).
 */
import source from './operations.graphql?raw';
import { splitOperations } from './documents.js';

export const OPERATIONS = splitOperations(source);

export class ChatApiError extends Error {
  constructor(code, message, status) {
    super(message);
    this.name = 'ChatApiError';
    this.code = code;
    this.status = status;
  }
}

function codeFromGraphqlErrors(errors) {
  const kinds = errors.map((e) => `${e.errorType ?? ''} ${e.message ?? ''}`).join(' ');
  if (/unauthori[sz]ed|forbidden|api key/i.test(kinds)) return 'unauthorized';
  if (/throttl|limit ?exceeded|too many requests|quota/i.test(kinds)) return 'rate_limited';
  return 'server';
}

export function createClient({ endpoint, apiKey, fetchImpl }) {
  async function request(operationName, variables = {}) {
    const query = OPERATIONS[operationName];
    if (!query) throw new Error(`unknown operation ${operationName}`);
    const doFetch = fetchImpl ?? globalThis.fetch;
    let response;
    try {
      response = await doFetch(endpoint, {
        method: 'POST',
        // AppSync hands a Lambda authorizer the `Authorization` header only (an `x-api-key` is
        // ignored there, and refused by the local AppSync alike).
        headers: { 'content-type': 'application/json', authorization: apiKey ?? '' },
        body: JSON.stringify({ query, variables, operationName }),
        credentials: 'omit',
      });
    } catch (err) {
      throw new ChatApiError('network', String(err?.message ?? err));
    }
    if (response.status === 401 || response.status === 403) {
      throw new ChatApiError('unauthorized', `HTTP ${response.status}`, response.status);
    }
    if (response.status === 429) throw new ChatApiError('rate_limited', 'HTTP 429', 429);
    let body;
    try {
      body = await response.json();
    } catch {
      throw new ChatApiError('server', `HTTP ${response.status}: not JSON`, response.status);
    }
    if (body?.errors?.length) {
      const err = new ChatApiError(codeFromGraphqlErrors(body.errors), body.errors[0].message, response.status);
      throw err;
    }
    if (!response.ok || !body?.data) {
      throw new ChatApiError('server', `HTTP ${response.status}`, response.status);
    }
    return body.data;
  }

  return {
    tenantConfig: () => request('TenantConfig').then((d) => d.tenantConfig),
    services: () => request('Services').then((d) => d.services),
    availability: (serviceId, date) =>
      request('Availability', { serviceId, date }).then((d) => d.availability),
    sendMessage: (input) => request('SendMessage', { input }).then((d) => d.sendMessage),
    reportClientEvent: (input) => request('ReportClientEvent', { input }).then((d) => d.reportClientEvent),
  };
}
