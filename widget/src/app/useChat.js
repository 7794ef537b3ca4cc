/**
 * The conversation's state: tenant config, messages, the pending reply and the last error.
 *
 * The conversation id (and a short transcript) lives in sessionStorage under one key per tenant,
 * so a page reload resumes the same conversation and two tenants never mix.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

const KEEP_MESSAGES = 50;

export const storageKey = (tenant) => `bookingchat:${tenant}:conversation`;

function readSaved(tenant) {
  try {
    const saved = JSON.parse(globalThis.sessionStorage?.getItem(storageKey(tenant)) ?? 'null');
    if (saved && typeof saved === 'object') {
      return { conversationId: saved.conversationId ?? null, messages: Array.isArray(saved.messages) ? saved.messages : [] };
    }
  } catch {
    // Storage may be blocked (privacy modes) or hold junk: start a new conversation.
  }
  return { conversationId: null, messages: [] };
}

function save(tenant, conversationId, messages) {
  try {
    globalThis.sessionStorage?.setItem(
      storageKey(tenant),
      JSON.stringify({ conversationId, messages: messages.slice(-KEEP_MESSAGES) }),
    );
  } catch {
    // Not fatal: the conversation simply will not survive a reload.
  }
}

let counter = 0;
const nextId = () => `m${Date.now().toString(36)}${(counter += 1)}`;

function clientToken() {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export function useChat({ client, tenant, emit }) {
  const [saved] = useState(() => readSaved(tenant));
  const conversationId = useRef(saved.conversationId);
  const [config, setConfig] = useState(null);
  const [configError, setConfigError] = useState(null);
  const [messages, setMessages] = useState(saved.messages);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState(null);

  const fetchConfig = useCallback(() => {
    client.tenantConfig().then(setConfig, (err) => {
      setConfigError({ code: err?.code ?? 'server' });
      emit('error', { code: err?.code ?? 'server', operation: 'TenantConfig' });
    });
  }, [client, emit]);

  useEffect(() => {
    fetchConfig();
  }, [fetchConfig]);

  const loadConfig = useCallback(() => {
    setConfigError(null);
    fetchConfig();
  }, [fetchConfig]);

  useEffect(() => {
    if (messages.length) save(tenant, conversationId.current, messages);
  }, [tenant, messages]);

  const deliver = useCallback(
    (input) => {
      setPending(true);
      setError(null);
      client
        .sendMessage({ ...input, conversationId: conversationId.current ?? input.conversationId })
        .then(
          (reply) => {
            conversationId.current = reply.conversationId;
            const message = {
              id: nextId(),
              from: 'bot',
              text: reply.message,
              quickReplies: reply.quickReplies ?? [],
              booking: reply.booking ?? null,
            };
            setMessages((list) => [...list, message]);
            emit('message', { from: 'bot', text: reply.message, conversationId: reply.conversationId, mode: reply.mode });
            if (reply.booking) emit('booking', { booking: reply.booking });
          },
          (err) => {
            const code = err?.code ?? 'server';
            setError({ code, input });
            emit('error', { code, operation: 'SendMessage' });
          },
        )
        .finally(() => setPending(false));
    },
    [client, emit],
  );

  const retry = useCallback(() => {
    if (error) deliver(error.input);
  }, [deliver, error]);

  const send = useCallback(
    (text, locale, shown = text) => {
      const trimmed = text.trim();
      if (!trimmed || pending) return;
      // A quick reply shows its label in the log but sends its value.
      setMessages((list) => [...list, { id: nextId(), from: 'user', text: shown.trim() || trimmed }]);
      emit('message', { from: 'user', text: trimmed });
      // The same clientToken is reused by Retry, so the backend can drop a duplicate.
      deliver({ conversationId: conversationId.current, text: trimmed, locale, clientToken: clientToken() });
    },
    [deliver, emit, pending],
  );

  return { config, configError, loadConfig, messages, pending, error, retry, send };
}
