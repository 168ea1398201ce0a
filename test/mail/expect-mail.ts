// Shared by the mail suites: a course date with known dates, times, location and price, the
// rows every confirmation must show per language, and readers for a parsed mail's two parts.
import type { ParsedMail } from 'mailparser';
import { person, type Harness } from '../support/harness.js';
import { CoursesDocument, ReserveSeatsDocument, CheckoutDocument } from '../generated/graphql.js';
import type { SimulatorData } from '../../src/simulators/maconomy.js';

/** One course date with known dates, times, a location that needs HTML escaping and a price in øre. */
export const MAIL_COURSE: SimulatorData = {
  mainCourses: [{ main_course_no: '25172', title: 'Projektledelse i praksis', description: null, category: null }],
  courseDates: [
    {
      course_no: '25172-90',
      main_course_no: '25172',
      title: 'Projektledelse i praksis',
      start_date: '2030-03-11',
      end_date: '2030-03-12',
      location: 'Nyborg Strand & Konference',
      price: 12345.5,
      currency: 'DKK',
      capacity: 20,
      free_seats: 20,
      status: 'open',
      days: [
        { date: '2030-03-11', start_time: '09:00', end_time: '16:00' },
        { date: '2030-03-12', start_time: '08:30', end_time: '15:00' },
      ],
    },
  ],
};

/** The course rows every confirmation shows, as label -> value, per language. */
export const EXPECTED = {
  da: {
    subject: 'Bekræftelse: Projektledelse i praksis',
    rows: {
      Kursus: 'Projektledelse i praksis (25172-90)',
      Dato: 'mandag den 11. marts 2030 til tirsdag den 12. marts 2030',
      Sted: 'Nyborg Strand & Konference',
      Kursusdage: 'mandag den 11. marts 2030 09:00–16:00\ntirsdag den 12. marts 2030 08:30–15:00',
      'Pris pr. deltager': '12.345,50 kr.',
    },
    total: ['I alt', '24.691,00 kr.'],
    bookedBy: 'Bestilt af',
    participants: 'Deltagere',
    order: 'Ordrenummer',
    hello: 'Kære',
    alertSubject: '[Kursus] En ordre kunne ikke sendes til Maconomy',
    alertAction: 'Hvad skal du gøre:',
    alertOrder: 'Ordre',
  },
  en: {
    subject: 'Confirmation: Projektledelse i praksis',
    rows: {
      Course: 'Projektledelse i praksis (25172-90)',
      Dates: 'Monday, 11 March 2030 to Tuesday, 12 March 2030',
      Location: 'Nyborg Strand & Konference',
      'Course days': 'Monday, 11 March 2030 09:00–16:00\nTuesday, 12 March 2030 08:30–15:00',
      'Price per participant': 'DKK 12,345.50',
    },
    total: ['Total', 'DKK 24,691.00'],
    bookedBy: 'Booked by',
    participants: 'Participants',
    order: 'Order number',
    hello: 'Dear',
    alertSubject: '[Kursus] An order could not be sent to Maconomy',
    alertAction: 'What to do:',
    alertOrder: 'Order',
  },
} as const;
export type Lang = keyof typeof EXPECTED;

// Intl puts a no-break space inside amounts (12.345,50\u00a0kr.); compare with plain spaces.
const nbsp = (s: string) => s.replace(/\u00a0/g, ' ');

const decode = (s: string) =>
  nbsp(s)
    .replace(/<br>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** The label -> value table of an HTML mail part (what a reader sees in each row). */
export function htmlRows(html: string): Record<string, string> {
  const rows: Record<string, string> = {};
  for (const m of html.matchAll(/<tr><th[^>]*>(.*?)<\/th><td>(.*?)<\/td><\/tr>/g)) rows[decode(m[1]!)] = decode(m[2]!);
  return rows;
}

/** The label -> value lines of the plain-text part; continuation lines (indented) join the value. */
export function textRows(text: string): Record<string, string> {
  const rows: Record<string, string> = {};
  let last: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    const cont = /^ {2}(\S.*)$/.exec(line);
    if (cont && last) {
      rows[last] += `\n${nbsp(cont[1]!)}`;
      continue;
    }
    const m = /^([^:]+): (.*)$/.exec(line);
    last = m ? m[1]! : null;
    if (m) rows[m[1]!] = nbsp(m[2]!);
  }
  return rows;
}

export const recipient = (m: ParsedMail) => (Array.isArray(m.to) ? m.to[0] : m.to)!.value[0]!.address;

/** Asserts one confirmation, text and HTML alike. */
export function expectConfirmation(m: ParsedMail, lang: Lang, role: 'booker' | 'participant', orderId: string, names: { booker: string; participants: string[] }) {
  const e = EXPECTED[lang];
  expect(m.subject).toBe(e.subject);
  expect(typeof m.html).toBe('string');
  const html = m.html as string;
  // Values are escaped in the HTML, not pasted in raw.
  expect(html).toContain('Nyborg Strand &amp; Konference');
  expect(html).not.toContain('Strand & Konference');
  for (const [part, rows] of [['text', textRows(m.text ?? '')], ['html', htmlRows(html)]] as const) {
    for (const [label, value] of Object.entries(e.rows)) expect({ part, label, value: rows[label] }).toEqual({ part, label, value });
    expect({ part, order: rows[e.order] }).toEqual({ part, order: orderId });
    if (role === 'booker') {
      expect({ part, total: rows[e.total[0]] }).toEqual({ part, total: e.total[1] });
      for (const p of names.participants) expect(rows[e.participants]).toContain(p);
    } else {
      expect({ part, total: rows[e.total[0]] }).toEqual({ part, total: undefined });
      expect({ part, bookedBy: rows[e.bookedBy] }).toEqual({ part, bookedBy: names.booker });
    }
  }
  expect(m.text).toContain(e.hello);
}

/** Reserves `seats` on the one course date and checks out; returns the order id and the people on it. */
export async function bookMailCourse(h: Harness, seats: number, tag: string) {
  const node = (await h.gql(CoursesDocument, { first: 1 })).data!.courses.edges[0]!.node;
  h.sim.state.setFreeSeats(node.maconomyId, 10);
  const reserved = await h.gql(ReserveSeatsDocument, { input: { courseId: node.id, seats } });
  expect(reserved.errors).toBeUndefined();
  const { order, orderToken } = reserved.data!.reserveSeats;
  const booker = person(0, tag);
  const participants = Array.from({ length: seats }, (_, i) => person(i + 1, tag));
  const r = await h.gql(CheckoutDocument, { input: { orderId: order.id, orderToken, booker, participants } });
  expect(r.errors).toBeUndefined();
  return { orderId: order.id, booker, participants };
}
