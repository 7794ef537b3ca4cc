/*
 * A stand-in GraphQL endpoint for the dev page only (never shipped): a guided booking flow with
 * responses shaped like the AppSync contract, so `npm start` works with no backend at all.
 */
const SERVICES = [
  { id: 'cut', name: 'Corte de pelo', durationMinutes: 30, description: null },
  { id: 'color', name: 'Color', durationMinutes: 90, description: null },
];

function slotsFor(serviceId) {
  const day = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
  return ['09:00', '11:30', '16:00'].map((t) => ({ label: `${day} ${t}`, value: `book:${serviceId}:${day}T${t}:00Z` }));
}

function reply(text, conversationId) {
  if (text.startsWith('book:')) {
    const [, serviceId, start] = text.split(/:(.+?):(.+)/);
    const service = SERVICES.find((s) => s.id === serviceId) ?? SERVICES[0];
    const end = new Date(Date.parse(start) + service.durationMinutes * 60000).toISOString();
    return {
      message: '¡Hecho! Tu cita está confirmada.',
      quickReplies: [],
      booking: { id: `bk-${Date.now().toString(36)}`, serviceId: service.id, serviceName: service.name, start, end, customerName: null, status: 'CONFIRMED' },
    };
  }
  const service = SERVICES.find((s) => s.id === text);
  if (service) return { message: `Estas son las horas libres para ${service.name}:`, quickReplies: slotsFor(service.id), booking: null };
  return {
    message: `(${conversationId}) ¿Qué servicio quieres reservar?`,
    quickReplies: SERVICES.map((s) => ({ label: s.name, value: s.id })),
    booking: null,
  };
}

export async function mockFetch(_url, init) {
  const { operationName, variables } = JSON.parse(init.body);
  await new Promise((r) => setTimeout(r, 600)); // long enough to see the typing indicator
  let data;
  if (operationName === 'TenantConfig') {
    data = {
      tenantConfig: {
        tenantId: 'acme',
        name: 'Peluquería Acme',
        greeting: '¡Hola! Soy el asistente de reservas. ¿En qué te ayudo?',
        locale: 'es',
        timeZone: 'Europe/Madrid',
        themeColor: '#7b1fa2',
      },
    };
  } else if (operationName === 'SendMessage') {
    const { input } = variables;
    const conversationId = input.conversationId ?? `conv-${Date.now().toString(36)}`;
    data = { sendMessage: { conversationId, mode: 'GUIDED', ...reply(input.text, conversationId) } };
  } else if (operationName === 'Services') {
    data = { services: SERVICES };
  } else {
    return { status: 400, ok: false, json: async () => ({ errors: [{ message: `mock: ${operationName}` }] }) };
  }
  return { status: 200, ok: true, json: async () => ({ data }) };
}
