/** CSS for the shadow root the loader draws. px only: a host `html { font-size: 62.5% }` must not matter. */
export function loaderCss({ position, zIndex }) {
  const side = position === 'bottom-left' ? 'left' : 'right';
  const z = Math.trunc(zIndex);
  // The host element lives in the page, so the page's own rules (`* {text-transform: uppercase}`)
  // beat `:host`; inherited properties would flow in. `.bkc-root` is inside the shadow tree, out
  // of the page's reach: resetting everything there stops that inheritance.
  return `:host{all:initial;font-size:16px;line-height:1.5}
.bkc-root{all:initial;display:block;font-size:16px;line-height:1.5;font-family:system-ui,sans-serif}
.bkc-launcher{position:fixed;bottom:20px;${side}:20px;z-index:${z};width:56px;height:56px;border:0;border-radius:50%;
background:var(--bkc-primary,#1565c0);color:#fff;cursor:pointer;box-shadow:0 3px 10px rgba(0,0,0,.3);
display:flex;align-items:center;justify-content:center;padding:0;margin:0}
.bkc-launcher:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}
.bkc-launcher svg{width:28px;height:28px;fill:currentColor}
.bkc-launcher[aria-busy=true]{opacity:.7;cursor:progress}
.bkc-launcher[data-failed]{background:#b3261e}
.bkc-app{position:fixed;bottom:88px;${side}:20px;z-index:${z}}
.bkc-app[data-inline]{position:static}
@media (max-width:599.95px){.bkc-app:not([data-inline]){inset:0}
.bkc-launcher[aria-expanded=true]{display:none}}
@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important}}`;
}

const CHAT_ICON =
  'M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2zM6 9h12v2H6zm8 5H6v-2h8zm4-6H6V6h12z';
const CLOSE_ICON =
  'M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z';

export function iconSvg(doc, open) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = doc.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = doc.createElementNS(ns, 'path');
  path.setAttribute('d', open ? CLOSE_ICON : CHAT_ICON);
  svg.appendChild(path);
  return svg;
}
