/** The app's words in Spanish and English. A plain object lookup: no i18n library ships. */
const STRINGS = {
  en: {
    title: 'Booking chat',
    close: 'Close chat',
    conversation: 'Conversation',
    inputLabel: 'Type your message',
    inputPlaceholder: 'Write a message…',
    send: 'Send',
    typing: 'The assistant is typing…',
    quickReplies: 'Suggested replies',
    you: 'You',
    assistant: 'Assistant',
    loading: 'Loading the chat…',
    retry: 'Retry',
    bookingConfirmed: 'Booking confirmed',
    bookingCancelled: 'Booking cancelled',
    bookingService: 'Service',
    bookingWhen: 'When',
    bookingName: 'Name',
    bookingRef: 'Reference',
    timeZoneNote: 'Times in {tz}',
    'error.network': "We can't reach the booking service. Check your connection and try again.",
    'error.unauthorized':
      'This chat is not set up correctly (the site’s API key was refused). Please contact the business another way.',
    'error.rate_limited': 'This business has reached its chat limit for now. Please try again in a while.',
    'error.server': 'Something went wrong on our side. Please try again.',
  },
  es: {
    title: 'Chat de reservas',
    close: 'Cerrar chat',
    conversation: 'Conversación',
    inputLabel: 'Escribe tu mensaje',
    inputPlaceholder: 'Escribe un mensaje…',
    send: 'Enviar',
    typing: 'El asistente está escribiendo…',
    quickReplies: 'Respuestas sugeridas',
    you: 'Tú',
    assistant: 'Asistente',
    loading: 'Cargando el chat…',
    retry: 'Reintentar',
    bookingConfirmed: 'Reserva confirmada',
    bookingCancelled: 'Reserva cancelada',
    bookingService: 'Servicio',
    bookingWhen: 'Cuándo',
    bookingName: 'Nombre',
    bookingRef: 'Referencia',
    timeZoneNote: 'Horas en {tz}',
    'error.network': 'No podemos conectar con el servicio de reservas. Revisa tu conexión e inténtalo de nuevo.',
    'error.unauthorized':
      'Este chat no está bien configurado (se rechazó la clave de API del sitio). Contacta con el negocio por otra vía.',
    'error.rate_limited': 'Este negocio ha alcanzado su límite de chat por ahora. Inténtalo de nuevo más tarde.',
    'error.server': 'Algo ha fallado por nuestra parte. Inténtalo de nuevo.',
  },
};

export function translator(locale) {
  const table = STRINGS[locale] ?? STRINGS.en;
  return (key, vars = {}) =>
    (table[key] ?? STRINGS.en[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
}

export function formatSlot(iso, locale, timeZone) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short' }).format(date);
  }
}
