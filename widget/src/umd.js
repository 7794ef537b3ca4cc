/*
 * `chat-widget.umd.js`: loader and app in one file, no second fetch. For pages that bundle the
 * widget or use AMD/CommonJS. In a plain <script> it behaves exactly like chat-widget.js.
 */
import { boot } from './loader/registry.js';
import { mountApp } from './app/mount.jsx';

const app = { version: __WIDGET_VERSION__, mount: mountApp };
const script = typeof document !== 'undefined' ? document.currentScript : null;

const BookingChat =
  typeof window === 'undefined'
    ? null
    : boot({ win: window, script, version: __WIDGET_VERSION__, createAppLoader: () => () => Promise.resolve(app) });

export default BookingChat;
