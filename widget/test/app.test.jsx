/* The app through the shadow root: rendering, sending, quick replies, booking card, errors, keyboard. */
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, waitFor, within } from '@testing-library/dom';
import userEvent from '@testing-library/user-event';
import { OPERATIONS } from '../src/api/client.js';
import { storageKey } from '../src/app/useChat.js';
import { TENANT_CONFIG, bootWithApp, deferred, graphqlFetch, raw, reply, shadowOf } from './helpers.js';

async function openWidget(fetchImpl, data) {
  vi.stubGlobal('fetch', fetchImpl);
  const BookingChat = bootWithApp({ data });
  const ui = await waitFor(() => shadowOf());
  await userEvent.click(await ui.findByRole('button', { name: /open booking chat|abrir chat de reservas/i }));
  const dialog = await ui.findByRole('dialog');
  return { BookingChat, ui, dialog };
}

// user-event loses track of inputs inside a shadow root once it has clicked there (its focus
// bookkeeping listens on the document, where shadow targets are retargeted to the host), so the
// text goes in with fireEvent; Enter submits the form, which is what fireEvent.submit does.
async function send(ui, text, { button = false } = {}) {
  const input = await ui.findByRole('textbox', { name: /type your message|escribe tu mensaje/i });
  fireEvent.change(input, { target: { value: text } });
  if (button) fireEvent.click(ui.getByRole('button', { name: /^(send|enviar)$/i }));
  else fireEvent.submit(input.form);
}

describe('the conversation panel', () => {
  it('shows the tenant name and greeting in a dialog with a polite live log', async () => {
    const { ui, dialog } = await openWidget(graphqlFetch());
    expect(await ui.findByRole('heading', { name: TENANT_CONFIG.name })).toBeTruthy();
    expect(dialog.getAttribute('aria-labelledby')).toBe('bkc-title');
    const log = ui.getByRole('log');
    expect(log.getAttribute('aria-live')).toBe('polite');
    expect(await ui.findByText(TENANT_CONFIG.greeting)).toBeTruthy();
  });

  it('moves focus into the message input when it opens', async () => {
    const { ui } = await openWidget(graphqlFetch());
    const input = await ui.findByRole('textbox', { name: 'Type your message' });
    await waitFor(() => expect(input.getRootNode().activeElement).toBe(input));
  });

  it('sends the SendMessage document from operations.graphql with the key in the Authorization header', async () => {
    const fetchImpl = graphqlFetch();
    const { ui } = await openWidget(fetchImpl);
    await ui.findByText(TENANT_CONFIG.greeting);
    await send(ui, 'I want a haircut', { button: true });
    expect(await ui.findByText('Which service would you like?')).toBeTruthy();
    const call = fetchImpl.calls.find((c) => c.body.operationName === 'SendMessage');
    expect(call.url).toBe('https://api.example.com/graphql');
    expect(call.headers.authorization).toBe('key-123'); // what AppSync gives a Lambda authorizer
    expect(call.headers['x-api-key']).toBeUndefined();
    expect(call.body.query).toBe(OPERATIONS.SendMessage);
    expect(call.body.variables.input).toMatchObject({ text: 'I want a haircut', locale: 'en', conversationId: null });
    expect(call.body.variables.input.clientToken).toMatch(/\S{8,}/);
    expect(ui.getByRole('log').textContent).toContain('I want a haircut');
  });

  it('sends the value of a quick reply the visitor clicks, showing its label', async () => {
    const answers = [
      reply({ message: 'Pick a time', quickReplies: [{ label: '10:00', value: 'slot:2026-12-01T10:00:00+01:00' }] }),
      reply({ message: 'Done' }),
    ];
    const fetchImpl = graphqlFetch({ SendMessage: () => ({ sendMessage: answers.shift() }) });
    const { ui } = await openWidget(fetchImpl);
    await ui.findByText(TENANT_CONFIG.greeting);
    await send(ui, 'book');
    const group = await ui.findByRole('group', { name: 'Suggested replies' });
    await userEvent.click(within(group).getByRole('button', { name: '10:00' }));
    expect(await ui.findByText('Done')).toBeTruthy();
    const sent = fetchImpl.calls.filter((c) => c.body.operationName === 'SendMessage').map((c) => c.body.variables.input);
    expect(sent[1].text).toBe('slot:2026-12-01T10:00:00+01:00');
    const log = ui.getByRole('log').textContent;
    expect(log).toContain('You: 10:00');
    expect(log).not.toContain('slot:2026');
    // The used quick reply is gone; focus went back to the input so Esc still closes the panel.
    const input = ui.getByRole('textbox', { name: 'Type your message' });
    expect(input.getRootNode().activeElement).toBe(input);
    expect(sent[1].conversationId).toBe('conv-1');
  });

  it('shows a booking confirmation card in the tenant time zone', async () => {
    const booking = {
      id: 'bk-42',
      serviceId: 'svc-cut',
      serviceName: 'Haircut',
      start: '2026-12-01T09:00:00Z',
      end: '2026-12-01T09:30:00Z',
      customerName: 'Ana',
      status: 'CONFIRMED',
    };
    const fetchImpl = graphqlFetch({ SendMessage: () => ({ sendMessage: reply({ message: 'Booked!', booking }) }) });
    const { ui } = await openWidget(fetchImpl);
    await ui.findByText(TENANT_CONFIG.greeting);
    await send(ui, 'yes');
    const card = await ui.findByRole('region', { name: 'Booking confirmed' });
    expect(card.textContent).toContain('Haircut');
    expect(card.textContent).toContain('bk-42'); // a booking made before references: its id
    expect(card.textContent).toContain('10:00'); // 09:00Z is 10:00 in Madrid in December
    expect(card.textContent).toContain('Europe/Madrid');
  });

  it('shows the short booking reference on the card, not the internal id', async () => {
    const booking = {
      id: '3f9c2a7e5b1d4c8e9a0b6d2f7e1c4a5b',
      reference: 'K7Q-4M2',
      serviceId: 'svc-cut',
      serviceName: 'Haircut',
      start: '2026-12-01T09:00:00Z',
      end: '2026-12-01T09:30:00Z',
      customerName: 'Ana',
      status: 'CONFIRMED',
    };
    const fetchImpl = graphqlFetch({ SendMessage: () => ({ sendMessage: reply({ message: 'Booked!', booking }) }) });
    const { ui } = await openWidget(fetchImpl);
    await ui.findByText(TENANT_CONFIG.greeting);
    await send(ui, 'yes');
    const card = await ui.findByRole('region', { name: 'Booking confirmed' });
    expect(within(card).getByTestId('booking-ref').textContent).toBe('K7Q-4M2');
    expect(card.textContent).not.toContain(booking.id);
  });

  it('shows a typing indicator while the reply is on its way', async () => {
    const pending = deferred();
    const { ui } = await openWidget(graphqlFetch({ SendMessage: () => pending.promise }));
    await ui.findByText(TENANT_CONFIG.greeting);
    await send(ui, 'hello');
    expect(await ui.findByText('The assistant is typing…')).toBeTruthy();
    pending.resolve({ sendMessage: reply({ message: 'Hi there' }) });
    await ui.findByText('Hi there');
    expect(ui.queryByText('The assistant is typing…')).toBeNull();
  });

  it('keeps the conversation id per tenant across a page reload', async () => {
    const { ui, BookingChat } = await openWidget(graphqlFetch({ SendMessage: () => ({ sendMessage: reply({ conversationId: 'conv-77' }) }) }));
    await ui.findByText(TENANT_CONFIG.greeting);
    await send(ui, 'hello');
    await ui.findByText('Which service would you like?');
    await waitFor(() => expect(JSON.parse(sessionStorage.getItem(storageKey('acme'))).conversationId).toBe('conv-77'));

    // "Reload": tear the widget down and boot it again; sessionStorage stays.
    BookingChat.destroy();
    delete window.BookingChat;
    const fetchImpl = graphqlFetch();
    const again = await openWidget(fetchImpl);
    expect(await again.ui.findByText('hello')).toBeTruthy(); // the transcript came back too
    await again.ui.findByText(TENANT_CONFIG.greeting);
    await send(again.ui, 'again');
    const sent = () => fetchImpl.calls.find((c) => c.body.operationName === 'SendMessage');
    await waitFor(() => expect(sent()).toBeTruthy());
    const input = sent().body.variables.input;
    expect(input.conversationId).toBe('conv-77');
    expect(sessionStorage.getItem(storageKey('other-tenant'))).toBeNull();
  });

  it('styles live in the shadow root with typography in px, nothing in the page head', async () => {
    const { ui } = await openWidget(graphqlFetch(), { nonce: 'n0nce' });
    await ui.findByText(TENANT_CONFIG.greeting);
    const root = document.querySelector('[data-booking-chat]').shadowRoot;
    const styles = [...root.querySelectorAll('style')];
    expect(styles.length).toBeGreaterThan(1);
    expect(styles.every((s) => s.nonce === 'n0nce')).toBe(true);
    expect(document.head.querySelectorAll('style').length).toBe(0);
    const css = styles.map((s) => s.textContent).join('\n');
    expect(css).not.toMatch(/\d(\.\d+)?rem/);
    expect(css).toMatch(/font-size:16px/);
  });

  it('takes the launcher colour from the tenant config', async () => {
    await openWidget(graphqlFetch());
    const host = document.querySelector('[data-booking-chat]');
    await waitFor(() => expect(host.style.getPropertyValue('--bkc-primary')).toBe('#aa3300'));
  });
});

describe('inline mode (data-mount)', () => {
  it('renders the panel open inside the target, with no launcher and no close button', async () => {
    vi.stubGlobal('fetch', graphqlFetch());
    const target = document.createElement('div');
    target.id = 'booking';
    document.body.append(target);
    bootWithApp({ data: { mount: '#booking' } });
    const host = await waitFor(() => {
      const el = target.querySelector('[data-booking-chat="acme"]');
      if (!el) throw new Error('not mounted yet');
      return el;
    });
    const ui = within(host.shadowRoot.querySelector('.bkc-root'));
    expect(await ui.findByRole('dialog')).toBeTruthy();
    expect(await ui.findByText(TENANT_CONFIG.greeting)).toBeTruthy();
    expect(ui.queryByRole('button', { name: /open booking chat|close chat/i })).toBeNull();
  });
});

describe('keyboard', () => {
  it('closes on Escape and returns focus to the launcher', async () => {
    const { ui, dialog } = await openWidget(graphqlFetch());
    await ui.findByText(TENANT_CONFIG.greeting);
    fireEvent.keyDown(dialog, { key: 'Escape' });
    await waitFor(() => expect(ui.queryByRole('dialog')).toBeNull());
    const launcher = ui.getByRole('button', { name: 'Open booking chat' });
    expect(launcher.getAttribute('aria-expanded')).toBe('false');
    expect(launcher.getRootNode().activeElement).toBe(launcher);
  });

  it('closes from the close button and keeps the conversation for the next open', async () => {
    const { ui } = await openWidget(graphqlFetch());
    await ui.findByText(TENANT_CONFIG.greeting);
    await send(ui, 'remember me');
    await ui.findByText('Which service would you like?');
    await userEvent.click(ui.getByRole('button', { name: 'Close chat' }));
    expect(ui.queryByRole('dialog')).toBeNull();
    await userEvent.click(ui.getByRole('button', { name: 'Open booking chat' }));
    expect(await ui.findByText('remember me')).toBeTruthy();
  });
});

describe('error states', () => {
  it('explains a network failure and retries the same message with the same client token', async () => {
    let fail = true;
    const fetchImpl = graphqlFetch({
      SendMessage: () => {
        if (fail) throw new TypeError('Failed to fetch');
        return { sendMessage: reply({ message: 'Back online' }) };
      },
    });
    const { ui } = await openWidget(fetchImpl);
    await ui.findByText(TENANT_CONFIG.greeting);
    await send(ui, 'hello');
    const alert = await ui.findByRole('alert');
    expect(alert.textContent).toMatch(/can't reach the booking service/i);
    fail = false;
    await userEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(await ui.findByText('Back online')).toBeTruthy();
    expect(ui.queryByRole('alert')).toBeNull();
    const tokens = fetchImpl.calls.filter((c) => c.body.operationName === 'SendMessage').map((c) => c.body.variables.input.clientToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toBe(tokens[1]);
  });

  it('says the API key was refused on 401 and offers no pointless retry', async () => {
    const { ui } = await openWidget(graphqlFetch({ TenantConfig: () => raw(401, { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized' }] }) }));
    const alert = await ui.findByRole('alert');
    expect(alert.textContent).toMatch(/API key was refused/);
    expect(within(alert).queryByRole('button', { name: 'Retry' })).toBeNull();
    expect(ui.getByRole('textbox', { name: 'Type your message' }).disabled).toBe(true);
  });

  it('says the plan limit was reached on 429 and lets the visitor retry', async () => {
    let limited = true;
    const fetchImpl = graphqlFetch({
      SendMessage: () => (limited ? raw(429, { errors: [{ message: 'Too Many Requests' }] }) : { sendMessage: reply({ message: 'OK now' }) }),
    });
    const { ui } = await openWidget(fetchImpl);
    await ui.findByText(TENANT_CONFIG.greeting);
    await send(ui, 'hi');
    const alert = await ui.findByRole('alert');
    expect(alert.textContent).toMatch(/reached its chat limit/);
    limited = false;
    await userEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(await ui.findByText('OK now')).toBeTruthy();
  });

  it('recovers when the tenant config fails once and Retry is pressed', async () => {
    let calls = 0;
    const fetchImpl = graphqlFetch({
      TenantConfig: () => {
        calls += 1;
        if (calls === 1) return raw(500, { errors: [{ message: 'boom' }] });
        return { tenantConfig: TENANT_CONFIG };
      },
    });
    const { ui } = await openWidget(fetchImpl);
    const alert = await ui.findByRole('alert');
    expect(alert.textContent).toMatch(/went wrong on our side/);
    await userEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(await ui.findByText(TENANT_CONFIG.greeting)).toBeTruthy();
  });
});

describe('language', () => {
  it('speaks Spanish when the tag says data-locale="es"', async () => {
    const { ui } = await openWidget(graphqlFetch(), { locale: 'es' });
    expect(await ui.findByRole('textbox', { name: 'Escribe tu mensaje' })).toBeTruthy();
    expect(ui.getByRole('button', { name: 'Cerrar chat' })).toBeTruthy();
    expect(ui.getByRole('button', { name: 'Cerrar chat de reservas' })).toBeTruthy();
  });

  it('follows <html lang> when the tag names no locale, and switches with setLocale', async () => {
    document.documentElement.setAttribute('lang', 'es-ES');
    const { ui, BookingChat } = await openWidget(graphqlFetch());
    expect(await ui.findByRole('textbox', { name: 'Escribe tu mensaje' })).toBeTruthy();
    BookingChat.setLocale('en');
    expect(await ui.findByRole('textbox', { name: 'Type your message' })).toBeTruthy();
    expect(ui.getByRole('button', { name: 'Close booking chat' })).toBeTruthy();
  });

  it('sends the chosen locale with each message', async () => {
    const fetchImpl = graphqlFetch();
    const { ui } = await openWidget(fetchImpl, { locale: 'es' });
    await ui.findByText(TENANT_CONFIG.greeting);
    await send(ui, 'hola');
    await ui.findByText('Which service would you like?');
    expect(fetchImpl.calls.find((c) => c.body.operationName === 'SendMessage').body.variables.input.locale).toBe('es');
  });
});
