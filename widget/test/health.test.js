import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createHealth, resetBoot } from '../src/app/health.js';
import { createClient } from '../src/api/client.js';

function harness(send = vi.fn(() => Promise.resolve(true))) {
  const timers = [];
  const health = createHealth({ version: '1.5.0', send, delayMs: 10, setTimer: (fn) => timers.push(fn) });
  const fire = () => timers.splice(0).forEach((fn) => fn());
  return { health, send, timers, fire };
}

describe('client health reports', () => {
  beforeEach(() => resetBoot());

  it('reports one boot per page load however many widgets mount, batched on one timer', () => {
    const a = harness();
    const b = harness(a.send);
    a.health.boot();
    b.health.boot();
    a.health.boot();
    expect(a.timers).toHaveLength(1);
    expect(b.timers).toHaveLength(0);
    a.fire();
    expect(a.send.mock.calls).toEqual([[{ widgetVersion: '1.5.0', kind: 'BOOT', count: 1 }]]);
  });

  it('batches errors and failed turns per kind, in chunks the API accepts', () => {
    const { health, send, timers, fire } = harness();
    for (let i = 0; i < 120; i += 1) health.error();
    health.onErrorEvent({ operation: 'SendMessage', code: 'server' });
    health.onErrorEvent({ operation: 'SendMessage', code: 'network' });
    health.onErrorEvent({ operation: 'SendMessage', code: 'rate_limited' }); // an answer, not a failure
    health.onErrorEvent({ operation: 'SendMessage', code: 'unauthorized' });
    health.onErrorEvent({ operation: 'TenantConfig', code: 'server' });
    expect(timers).toHaveLength(1);
    fire();
    expect(send.mock.calls.map(([input]) => [input.kind, input.count])).toEqual([
      ['ERROR', 50],
      ['ERROR', 50],
      ['ERROR', 21],
      ['FAILED_TURN', 2],
    ]);
  });

  it('never throws into the page when sending fails or throws', async () => {
    const rejecting = harness(vi.fn(() => Promise.reject(new Error('offline'))));
    rejecting.health.error();
    expect(() => rejecting.fire()).not.toThrow();
    const throwing = harness(vi.fn(() => {
      throw new Error('boom');
    }));
    throwing.health.error();
    expect(() => throwing.fire()).not.toThrow();
    const noTimer = createHealth({ version: '1.5.0', send: vi.fn(), setTimer: () => {
      throw new Error('no timers here');
    } });
    expect(() => noTimer.error()).not.toThrow();
    await Promise.resolve();
  });

  it('sends the ReportClientEvent mutation with the tenant key, as the other widget calls', async () => {
    const fetchImpl = vi.fn(async () => ({ status: 200, ok: true, json: async () => ({ data: { reportClientEvent: true } }) }));
    const client = createClient({ endpoint: 'https://api.example/graphql', apiKey: 'bc_key', fetchImpl });
    const { health, fire } = harness(client.reportClientEvent);
    health.boot();
    fire();
    await vi.waitFor(() => expect(fetchImpl).toHaveBeenCalledTimes(1));
    const [url, init] = fetchImpl.mock.calls[0];
    expect(url).toBe('https://api.example/graphql');
    expect(init.headers.authorization).toBe('bc_key');
    const body = JSON.parse(init.body);
    expect(body.operationName).toBe('ReportClientEvent');
    expect(body.query).toContain('reportClientEvent(input: $input)');
    expect(body.variables).toEqual({ input: { widgetVersion: '1.5.0', kind: 'BOOT', count: 1 } });
  });
});
