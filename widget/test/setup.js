import { afterEach } from 'vitest';

// The widget renders through its own createRoot (as on a real page), not through RTL's render,
// so React's act() environment warnings do not apply; Testing Library's findBy* waits instead.
globalThis.IS_REACT_ACT_ENVIRONMENT = false;

afterEach(() => {
  window.BookingChat?.destroy?.();
  delete window.BookingChat;
  document.body.replaceChildren();
  document.head.replaceChildren();
  document.documentElement.removeAttribute('lang');
  sessionStorage.clear();
  localStorage.clear();
});
