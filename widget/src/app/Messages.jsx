/** The conversation log: bubbles, quick replies and the booking confirmation card. */
import { useEffect, useRef } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import { EventIcon } from './icons.jsx';
import { formatSlot } from './i18n.js';

function BookingCard({ booking, t, locale, timeZone }) {
  const confirmed = booking.status === 'CONFIRMED';
  const titleId = `bkc-booking-${booking.id}`;
  return (
    <Paper
      component="section"
      variant="outlined"
      aria-labelledby={titleId}
      data-testid="booking-card"
      // The card sits in a flex column that sizes it to its content: cap it at the log's width
      // (border included) so a long value wraps instead of pushing the card past the panel's edge.
      sx={{ p: 1.5, mt: 1, maxWidth: '100%', minWidth: 0, boxSizing: 'border-box', borderColor: confirmed ? 'success.main' : 'divider' }}
    >
      <Typography id={titleId} variant="subtitle2" sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
        <EventIcon fontSize="small" color={confirmed ? 'success' : 'disabled'} />
        {confirmed ? t('bookingConfirmed') : t('bookingCancelled')}
      </Typography>
      <Box component="dl" sx={{ m: 0, mt: 1, display: 'grid', gridTemplateColumns: 'auto minmax(0, 1fr)', columnGap: 1.5, rowGap: 0.5, fontSize: 14, '& dd': { m: 0, overflowWrap: 'anywhere' } }}>
        <dt>{t('bookingService')}</dt>
        <dd>{booking.serviceName ?? booking.serviceId}</dd>
        <dt>{t('bookingWhen')}</dt>
        <dd>{formatSlot(booking.start, locale, timeZone)}</dd>
        {booking.customerName ? (
          <>
            <dt>{t('bookingName')}</dt>
            <dd>{booking.customerName}</dd>
          </>
        ) : null}
        <dt>{t('bookingRef')}</dt>
        <dd data-testid="booking-ref">{booking.reference ?? booking.id}</dd>
      </Box>
      {timeZone ? (
        <Typography variant="caption" color="text.secondary">
          {t('timeZoneNote', { tz: timeZone })}
        </Typography>
      ) : null}
    </Paper>
  );
}

function Bubble({ message, t, locale, timeZone }) {
  const mine = message.from === 'user';
  return (
    <Box
      component="li"
      data-from={message.from}
      sx={{ listStyle: 'none', display: 'flex', flexDirection: 'column', alignItems: mine ? 'flex-end' : 'flex-start' }}
    >
      <Box
        sx={{
          maxWidth: '85%',
          px: 1.5,
          py: 1,
          borderRadius: 2,
          bgcolor: mine ? 'primary.main' : 'grey.100',
          color: mine ? 'primary.contrastText' : 'text.primary',
          whiteSpace: 'pre-wrap',
          overflowWrap: 'anywhere',
          fontSize: 15,
        }}
      >
        <Box component="span" sx={visuallyHidden}>
          {mine ? t('you') : t('assistant')}:{' '}
        </Box>
        <span>{message.text}</span>
      </Box>
      {message.booking ? <BookingCard booking={message.booking} t={t} locale={locale} timeZone={timeZone} /> : null}
    </Box>
  );
}

export const visuallyHidden = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
  m: -0.125,
  p: 0,
  border: 0,
};

export function MessageLog({ greeting, messages, t, locale, timeZone, pending }) {
  const ref = useRef(null);
  useEffect(() => {
    const el = ref.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages.length, pending]);
  return (
    <Box
      ref={ref}
      role="log"
      aria-live="polite"
      aria-relevant="additions"
      aria-label={t('conversation')}
      sx={{ flex: 1, overflowY: 'auto', overscrollBehavior: 'contain', p: 1.5 }}
    >
      <Box component="ul" sx={{ m: 0, p: 0, display: 'flex', flexDirection: 'column', gap: 1 }}>
        {greeting ? <Bubble message={{ from: 'bot', text: greeting }} t={t} locale={locale} timeZone={timeZone} /> : null}
        {messages.map((m) => (
          <Bubble key={m.id} message={m} t={t} locale={locale} timeZone={timeZone} />
        ))}
      </Box>
    </Box>
  );
}

export function QuickReplies({ replies, onPick, disabled, t }) {
  if (!replies?.length) return null;
  return (
    <Box role="group" aria-label={t('quickReplies')} sx={{ display: 'flex', flexWrap: 'wrap', gap: 1, px: 1.5, pb: 1 }}>
      {replies.map((r) => (
        <Button
          key={`${r.value}|${r.label}`}
          size="small"
          variant="outlined"
          disabled={disabled}
          onClick={() => onPick(r)}
          sx={{ textTransform: 'none', borderRadius: 4, fontSize: 14 }}
        >
          {r.label}
        </Button>
      ))}
    </Box>
  );
}
