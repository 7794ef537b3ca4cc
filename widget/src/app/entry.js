/* The app, `chat-widget.app.js`: registers itself with the loader that fetched it. */
import { mountApp } from './mount.jsx';

const registry = window.BookingChat;
if (registry && typeof registry._defineApp === 'function') {
  registry._defineApp(__WIDGET_VERSION__, { version: __WIDGET_VERSION__, mount: mountApp });
}
