// Mail for `npm run demo`: a Spanish-speaking personal inbox beside the English work inbox the popup
// suites use (test/e2e/popup-seed.ts), and a rotation of new messages, one delivered every interval.
import type { AppendOptions } from '../harness/mail.js';

const html = (body: string) => `<!doctype html><html><body style="font-family: sans-serif">${body}</body></html>`;

/** The personal inbox in Spanish, oldest first (dated by the caller, a minute apart unless given). */
export function spanishInbox(newest: number): AppendOptions[] {
  const at = (minutesAgo: number) => new Date(newest - minutesAgo * 60_000);
  return [
    {
      from: 'Banco Meridiano <avisos@bancomeridiano.example>',
      subject: 'Tu extracto de noviembre ya está disponible',
      text: 'Hola, tu extracto mensual de la cuenta terminada en 4821 ya está disponible en la banca en línea.',
      flags: ['\\Seen'],
      date: at(60 * 24 * 6),
    },
    {
      from: 'Lucía Fernández <lucia.fernandez@correo.example>',
      subject: 'Cena del viernes 🍷',
      text: '¿Seguimos con la cena del viernes a las 21:00? He reservado en el sitio de la plaza. Avísame si vienes con alguien.',
      flags: ['\\Seen'],
      date: at(60 * 24 * 5),
    },
    {
      from: 'Comunidad de Vecinos <administracion@vecinos.example>',
      subject: 'Reunión de la comunidad: jueves 19:30',
      html: html(
        '<p>Estimados vecinos:</p><p>Se convoca <b>reunión ordinaria</b> el jueves a las 19:30 en el portal. Orden del día:</p><ol><li>Cuentas del año</li><li>Arreglo del ascensor</li><li>Ruegos y preguntas</li></ol><p>Un saludo,<br>La administración</p>',
      ),
      text: 'Se convoca reunión ordinaria el jueves a las 19:30 en el portal.',
      flags: ['\\Seen', '\\Flagged'],
      date: at(60 * 24 * 4),
    },
    {
      from: 'Renfe Viajeros <billetes@tren.example>',
      subject: 'Confirmación de tu billete Madrid → Valencia',
      text: 'Madrid Puerta de Atocha → Valencia Joaquín Sorolla, 18 dic, 09:10. Coche 5, plaza 12A. Localizador Q7XK2M.',
      flags: ['\\Seen'],
      date: at(60 * 24 * 3),
    },
    {
      from: 'Mamá <mama@familia.example>',
      subject: 'Fotos de la comida del domingo',
      text: 'Te mando las fotos de la comida. ¡Qué bien salió la paella! Besos.',
      date: at(60 * 24 * 2),
    },
    {
      from: 'Librería El Ático <pedidos@elatico.example>',
      subject: 'Tu pedido n.º 20931 ha sido enviado',
      text: 'Tu pedido («Cien años de soledad», edición de bolsillo) sale hoy. Lo recibirás en 24–48 horas.',
      flags: ['\\Seen'],
      date: at(60 * 30),
    },
    {
      from: 'Javier Ortega <javi.ortega@correo.example>',
      subject: 'Partido de pádel el sábado',
      text: 'Tengo pista el sábado a las 11 en el polideportivo. ¿Te apuntas? Nos falta uno.',
      date: at(60 * 6),
    },
    {
      from: 'Clínica Dental Sonrisa <citas@sonrisa.example>',
      subject: 'Recordatorio de cita: martes 10:15',
      text: 'Le recordamos su cita de revisión el martes a las 10:15. Si no puede asistir, llámenos con 24 horas de antelación.',
      date: at(60 * 2),
    },
    {
      from: 'Lucía Fernández <lucia.fernandez@correo.example>',
      subject: 'Re: Cena del viernes 🍷',
      text: 'Perfecto, entonces somos cuatro. ¡Nos vemos allí!',
      date: at(25),
    },
  ];
}

/** New mail delivered while the demo runs, in turn to each account (English for work, Spanish for personal). */
export const ARRIVALS: { account: 'work' | 'personal'; message: AppendOptions }[] = [
  {
    account: 'work',
    message: {
      from: 'Jonas Weber <jonas@contoso.example>',
      subject: 'Quick question about the release notes',
      text: 'Do we mention the new keyboard shortcuts in the release notes, or keep them for the blog post?',
    },
  },
  {
    account: 'personal',
    message: {
      from: 'Javier Ortega <javi.ortega@correo.example>',
      subject: 'Re: Partido de pádel el sábado',
      text: '¡Genial! Entonces somos cuatro. Llevo yo las pelotas.',
    },
  },
  {
    account: 'work',
    message: {
      from: 'Build Bot <ci@northwind.example>',
      subject: 'Build #4127 passed on main',
      text: 'All 1,078 tests passed in 15 min 3 s.',
    },
  },
  {
    account: 'personal',
    message: {
      from: 'Comunidad de Vecinos <administracion@vecinos.example>',
      subject: 'Acta de la reunión del jueves',
      html: html(
        '<p>Adjuntamos el resumen de la reunión: se aprueba el <b>arreglo del ascensor</b>, que empezará en enero.</p>',
      ),
      text: 'Se aprueba el arreglo del ascensor, que empezará en enero.',
    },
  },
  {
    account: 'work',
    message: {
      from: 'Priya Raman <priya@northwind.example>',
      subject: 'Can you review the onboarding copy today?',
      html: html('<p>The copy is in the shared doc. <b>Two screens</b> left; comments by 16:00 would be perfect.</p>'),
      text: 'The copy is in the shared doc. Two screens left; comments by 16:00 would be perfect.',
    },
  },
  {
    account: 'personal',
    message: {
      from: 'Mamá <mama@familia.example>',
      subject: '¿Vienes en Navidad?',
      text: 'Dime cuándo llegas para preparar la habitación. ¡Tu hermana viene el 23!',
    },
  },
];
