/** The conversation panel: header, log, quick replies, typing indicator, errors, composer. */
import { useEffect, useMemo, useRef, useState } from 'react';
import { ThemeProvider } from '@mui/material/styles';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import InputBase from '@mui/material/InputBase';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import { CloseIcon, SendIcon } from './icons.jsx';
import { MessageLog, QuickReplies, visuallyHidden } from './Messages.jsx';
import { createWidgetTheme, safeColor } from './theme.js';
import { translator } from './i18n.js';
import { useChat } from './useChat.js';
import { pageLocaleSources, resolveLocale } from '../shared/locale.js';


function ErrorNotice({ code, onRetry, t }) {
  return (
    <Alert
      severity={code === 'rate_limited' ? 'warning' : 'error'}
      data-error-code={code}
      action={
        onRetry && code !== 'unauthorized' ? (
          <Button color="inherit" size="small" onClick={onRetry}>
            {t('retry')}
          </Button>
        ) : null
      }
      sx={{ m: 1.5, fontSize: 14 }}
    >
      {t(`error.${code}`)}
    </Alert>
  );
}

function Composer({ onSend, disabled, locked, t, autoFocus, input }) {
  const [text, setText] = useState('');
  useEffect(() => {
    if (autoFocus) input.current?.focus();
  }, [autoFocus, input]);
  const submit = (event) => {
    event.preventDefault();
    if (!text.trim() || disabled) return;
    onSend(text);
    setText('');
  };
  return (
    <Box
      component="form"
      onSubmit={submit}
      sx={{ display: 'flex', alignItems: 'center', gap: 1, p: 1, borderTop: 1, borderColor: 'divider' }}
    >
      <InputBase
        inputRef={input}
        disabled={locked}
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder={t('inputPlaceholder')}
        inputProps={{ 'aria-label': t('inputLabel'), maxLength: 2000, enterKeyHint: 'send' }}
        // 16px at least: iOS Safari zooms the page into smaller inputs.
        sx={{ flex: 1, fontSize: 16, px: 1 }}
      />
      <IconButton type="submit" color="primary" aria-label={t('send')} disabled={disabled || !text.trim()}>
        <SendIcon />
      </IconButton>
    </Box>
  );
}

function Panel({ chat, t, locale, inline, onRequestClose, autoFocus }) {
  const { config, configError, loadConfig, messages, pending, error, retry } = chat;
  const send = (text, shown) => chat.send(text, locale, shown);
  const input = useRef(null);
  // A quick reply unmounts once used; keep focus in the panel (and Esc working) by moving it
  // back to the input.
  const pick = (reply) => {
    send(reply.value, reply.label);
    input.current?.focus();
  };
  const last = messages[messages.length - 1];
  const replies = last?.from === 'bot' ? last.quickReplies : null;
  const onKeyDown = (event) => {
    if (event.key === 'Escape' && !inline) {
      event.stopPropagation();
      onRequestClose();
    }
  };
  return (
    <Paper
      role="dialog"
      aria-modal="false"
      aria-labelledby="bkc-title"
      elevation={8}
      onKeyDown={onKeyDown}
      sx={(theme) => ({
        display: 'flex',
        flexDirection: 'column',
        overflow: 'hidden',
        fontSize: 14,
        width: inline ? '100%' : 370,
        height: inline ? '100%' : 'min(580px, calc(100vh - 120px))',
        minHeight: inline ? 420 : 0,
        borderRadius: inline ? 1 : 3,
        [theme.breakpoints.down('sm')]: inline
          ? {}
          : { position: 'fixed', inset: 0, width: '100%', height: '100%', borderRadius: 0 },
      })}
    >
      <Box
        component="header"
        sx={{ display: 'flex', alignItems: 'center', gap: 1, px: 2, py: 1.25, bgcolor: 'primary.main', color: 'primary.contrastText' }}
      >
        <Typography id="bkc-title" component="h2" sx={{ flex: 1, fontSize: 17, fontWeight: 600 }}>
          {config?.name ?? t('title')}
        </Typography>
        {inline ? null : (
          <IconButton color="inherit" aria-label={t('close')} onClick={onRequestClose} size="small">
            <CloseIcon />
          </IconButton>
        )}
      </Box>
      {configError ? (
        <ErrorNotice code={configError.code} onRetry={loadConfig} t={t} />
      ) : !config ? (
        <Typography role="status" sx={{ p: 2, fontSize: 14 }}>
          {t('loading')}
        </Typography>
      ) : null}
      <MessageLog
        greeting={config?.greeting}
        messages={messages}
        t={t}
        locale={locale}
        timeZone={config?.timeZone}
        pending={pending}
      />
      <Box role="status" aria-live="polite" sx={pending ? { px: 2, pb: 0.5, fontSize: 13, color: 'text.secondary' } : visuallyHidden}>
        {pending ? t('typing') : ''}
      </Box>
      {error ? <ErrorNotice code={error.code} onRetry={retry} t={t} /> : null}
      <QuickReplies replies={replies} onPick={pick} disabled={pending} t={t} />
      {/* Sending does not wait for the tenant config (it only themes the panel); a refused key locks it. */}
      <Composer onSend={send} disabled={pending} locked={configError?.code === 'unauthorized'} t={t} autoFocus={autoFocus} input={input} />
    </Paper>
  );
}

export function App({ client, tenant, open, locale: requested, inline, container, onRequestClose, onTheme, emit }) {
  const chat = useChat({ client, tenant, emit });
  const locale = resolveLocale({ requested, ...pageLocaleSources(), tenantDefault: chat.config?.locale });
  const color = chat.config?.themeColor;
  useEffect(() => {
    if (color) onTheme?.(safeColor(color));
  }, [color, onTheme]);
  const theme = useMemo(() => createWidgetTheme(color, container), [color, container]);
  const t = useMemo(() => translator(locale), [locale]);
  return (
    <ThemeProvider theme={theme}>
      <Box lang={locale} sx={{ fontFamily: theme.typography.fontFamily, fontSize: 14, lineHeight: 1.5, color: 'text.primary', height: inline ? '100%' : 'auto' }}>
        {open ? (
          <Panel chat={chat} t={t} locale={locale} inline={inline} onRequestClose={onRequestClose} autoFocus={!inline} />
        ) : null}
      </Box>
    </ThemeProvider>
  );
}
