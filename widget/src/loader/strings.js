/** The few words the loader itself shows, before the app (and its dictionaries) has loaded. */
export const LAUNCHER_STRINGS = {
  en: { open: 'Open booking chat', close: 'Close booking chat', unavailable: 'Booking chat is unavailable, try again' },
  es: { open: 'Abrir chat de reservas', close: 'Cerrar chat de reservas', unavailable: 'El chat de reservas no está disponible, inténtalo de nuevo' },
};
