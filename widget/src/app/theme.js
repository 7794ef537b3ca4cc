/**
 * The MUI theme for one widget: tenant colour, px typography (a host `html { font-size: 62.5% }`
 * must not shrink the widget, since rem inside a shadow root still follows the host's <html>),
 * a system font stack (no @font-face: it is not registered from inside a shadow root), and
 * portals kept inside the shadow root so they stay styled.
 */
import { createTheme } from '@mui/material/styles';

export const DEFAULT_COLOR = '#1565c0';

export function safeColor(value) {
  return typeof value === 'string' && /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(value.trim()) ? value.trim() : DEFAULT_COLOR;
}

export function createWidgetTheme(color, portalContainer) {
  const portal = { defaultProps: { container: portalContainer } };
  return createTheme({
    palette: { primary: { main: safeColor(color) } },
    typography: {
      htmlFontSize: 16,
      fontSize: 14,
      pxToRem: (px) => `${px}px`,
      fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    },
    components: { MuiPopover: portal, MuiPopper: portal, MuiModal: portal },
  });
}
