// Mail templates: HTML + plain text, Danish by default, English available. Plain functions over
// typed data; every interpolated value is HTML-escaped.
import { dateTimeFormat, numberFormat } from '../intl.js';
export type Language = 'da' | 'en';

export interface CourseInfo {
  title: string;
  maconomyId: string;
  startDate: string;
  endDate: string;
  location: string;
  days: { date: string; startTime: string | null; endTime: string | null }[];
  unitPriceMinor: number;
  currency: string;
}

export interface Person {
  firstName: string;
  lastName: string;
  email: string;
}

export interface Rendered {
  subject: string;
  html: string;
  text: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function formatMoney(minor: number, currency: string, lang: Language): string {
  return numberFormat(lang === 'da' ? 'da-DK' : 'en-GB', { style: 'currency', currency }).format(minor / 100);
}

export function formatDate(isoDate: string, lang: Language): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  return dateTimeFormat(lang === 'da' ? 'da-DK' : 'en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y!, m! - 1, d!)),
  );
}

const T = {
  da: {
    confirmSubject: (t: string) => `Bekræftelse: ${t}`,
    hello: (n: string) => `Kære ${n}`,
    bookerIntro: (seats: number) => `Tak for din bestilling af ${seats} ${seats === 1 ? 'plads' : 'pladser'}. Her er detaljerne:`,
    participantIntro: 'Du er tilmeldt følgende kursus:',
    course: 'Kursus', dates: 'Dato', location: 'Sted', days: 'Kursusdage', price: 'Pris pr. deltager', total: 'I alt', participants: 'Deltagere',
    order: 'Ordrenummer', bookedBy: 'Bestilt af', to: 'til', closing: 'Med venlig hilsen',
    listSubject: (t: string, d: string) => `Deltagerliste: ${t} (${d})`,
    listIntro: (n: number) => `Her er deltagerlisten (${n} ${n === 1 ? 'deltager' : 'deltagere'}). Listen er også vedhæftet som CSV.`,
    name: 'Navn', email: 'E-mail', company: 'Firma',
    receivedSubject: (t: string) => `Vi har modtaget din bestilling: ${t}`,
    receivedIntro: (seats: number) =>
      `Tak for din bestilling af ${seats} ${seats === 1 ? 'plads' : 'pladser'}. Vi sender den nu til vores kursussystem; du og deltagerne får en bekræftelse, så snart pladserne er bekræftet der.`,
    partialSubject: (t: string) => `Din bestilling er kun delvist gennemført: ${t}`,
    partialIntro: 'Vores kursussystem kunne ikke bekræfte alle pladser på din bestilling.',
    booked: 'Tilmeldt', notBooked: 'Ikke tilmeldt', none: 'ingen',
    partialAction: 'Deltagere, der ikke er tilmeldt, har ikke fået nogen bekræftelse. Du betaler kun for tilmeldte deltagere. Kontakt os, hvis du vil finde en anden dato.',
  },
  en: {
    confirmSubject: (t: string) => `Confirmation: ${t}`,
    hello: (n: string) => `Dear ${n}`,
    bookerIntro: (seats: number) => `Thank you for booking ${seats} ${seats === 1 ? 'seat' : 'seats'}. Here are the details:`,
    participantIntro: 'You are enrolled on this course:',
    course: 'Course', dates: 'Dates', location: 'Location', days: 'Course days', price: 'Price per participant', total: 'Total', participants: 'Participants',
    order: 'Order number', bookedBy: 'Booked by', to: 'to', closing: 'Kind regards',
    listSubject: (t: string, d: string) => `Participant list: ${t} (${d})`,
    listIntro: (n: number) => `Here is the participant list (${n} ${n === 1 ? 'participant' : 'participants'}). It is also attached as CSV.`,
    name: 'Name', email: 'E-mail', company: 'Company',
    receivedSubject: (t: string) => `We have received your booking: ${t}`,
    receivedIntro: (seats: number) =>
      `Thank you for booking ${seats} ${seats === 1 ? 'seat' : 'seats'}. We are now sending it to our course system; you and the participants will get a confirmation as soon as the seats are confirmed there.`,
    partialSubject: (t: string) => `Your booking could only partly be completed: ${t}`,
    partialIntro: 'Our course system could not confirm every seat of your booking.',
    booked: 'Booked', notBooked: 'Not booked', none: 'none',
    partialAction: 'Participants who are not booked have received no confirmation. You pay only for booked participants. Contact us if you would like another date.',
  },
} as const;

const fullName = (p: Person) => `${p.firstName} ${p.lastName}`;

function render(input: { lang: Language; recipient: Person; sender: string }, subject: string, paragraphs: string[], rows: [string, string][]): Rendered {
  const t = T[input.lang];
  const hello = t.hello(fullName(input.recipient));
  const text = `${hello}\n\n${paragraphs.join('\n\n')}\n\n${rows.map(([k, v]) => `${k}: ${v.replace(/\n/g, '\n  ')}`).join('\n')}\n\n${t.closing}\n${input.sender}\n`;
  const html = layout(subject, `<p>${esc(hello)}</p>${paragraphs.map((p) => `<p>${esc(p)}</p>`).join('')}${table(rows)}<p>${esc(t.closing)}</p>`, input.sender);
  return { subject, html, text };
}

/** To the booker at checkout: received, not yet confirmed (Maconomy has not accepted it yet). */
export function bookingReceived(input: { lang: Language; recipient: Person; orderId: string; seats: number; course: CourseInfo; participants: Person[]; sender: string }): Rendered {
  const t = T[input.lang];
  const rows = courseRows(input.course, input.lang);
  rows.push([t.participants, input.participants.map((p) => `${fullName(p)} <${p.email}>`).join('\n')]);
  rows.push([t.order, input.orderId]);
  return render(input, t.receivedSubject(input.course.title), [t.receivedIntro(input.seats)], rows);
}

/** To the booker when Maconomy refused some participants: who is booked and who is not. */
export function partialBooking(input: { lang: Language; recipient: Person; orderId: string; course: CourseInfo; booked: Person[]; refused: Person[]; sender: string }): Rendered {
  const t = T[input.lang];
  const rows = courseRows(input.course, input.lang);
  const names = (list: Person[]) => (list.length ? list.map((p) => `${fullName(p)} <${p.email}>`).join('\n') : t.none);
  rows.push([t.booked, names(input.booked)]);
  rows.push([t.notBooked, names(input.refused)]);
  if (input.booked.length) rows.push([t.total, formatMoney(input.course.unitPriceMinor * input.booked.length, input.course.currency, input.lang)]);
  rows.push([t.order, input.orderId]);
  return render(input, t.partialSubject(input.course.title), [t.partialIntro, t.partialAction], rows);
}

function courseRows(c: CourseInfo, lang: Language) {
  const t = T[lang];
  const dates = c.startDate === c.endDate ? formatDate(c.startDate, lang) : `${formatDate(c.startDate, lang)} ${t.to} ${formatDate(c.endDate, lang)}`;
  const days = c.days.map((d) => `${formatDate(d.date, lang)}${d.startTime ? ` ${d.startTime}–${d.endTime ?? ''}` : ''}`);
  return [
    [t.course, `${c.title} (${c.maconomyId})`],
    [t.dates, dates],
    [t.location, c.location],
    [t.days, days.join('\n')],
  ] as [string, string][];
}

function layout(title: string, bodyHtml: string, company: string) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body style="font-family: Arial, sans-serif; color: #222; max-width: 640px">${bodyHtml}<p>${esc(company)}</p></body></html>`;
}

const table = (rows: [string, string][]) =>
  `<table cellpadding="4" style="border-collapse: collapse">${rows
    .map(([k, v]) => `<tr><th align="left" valign="top">${esc(k)}</th><td>${esc(v).replace(/\n/g, '<br>')}</td></tr>`)
    .join('')}</table>`;

export function orderConfirmation(input: {
  lang: Language;
  recipient: Person;
  role: 'booker' | 'participant';
  orderId: string;
  seats: number;
  course: CourseInfo;
  participants: Person[];
  booker: Person;
  sender: string;
}): Rendered {
  const t = T[input.lang];
  const c = input.course;
  const rows = courseRows(c, input.lang);
  // Every recipient sees the price (a participant often books through a manager); only the booker the total.
  rows.push([t.price, formatMoney(c.unitPriceMinor, c.currency, input.lang)]);
  if (input.role === 'booker') {
    rows.push([t.total, formatMoney(c.unitPriceMinor * input.seats, c.currency, input.lang)]);
    rows.push([t.participants, input.participants.map((p) => `${p.firstName} ${p.lastName} <${p.email}>`).join('\n')]);
  } else {
    rows.push([t.bookedBy, `${input.booker.firstName} ${input.booker.lastName}`]);
  }
  rows.push([t.order, input.orderId]);
  const intro = input.role === 'booker' ? t.bookerIntro(input.seats) : t.participantIntro;
  const hello = t.hello(`${input.recipient.firstName} ${input.recipient.lastName}`);
  const subject = t.confirmSubject(c.title);
  const text = `${hello}\n\n${intro}\n\n${rows.map(([k, v]) => `${k}: ${v.replace(/\n/g, '\n  ')}`).join('\n')}\n\n${t.closing}\n${input.sender}\n`;
  const html = layout(subject, `<p>${esc(hello)}</p><p>${esc(intro)}</p>${table(rows)}<p>${esc(t.closing)}</p>`, input.sender);
  return { subject, html, text };
}

export interface ListedParticipant extends Person {
  phone: string | null;
  company: string | null;
}

/** RFC 4180 CSV; cells starting with = + - @ are prefixed so spreadsheets do not run them. */
export function participantCsv(rows: ListedParticipant[]): string {
  const cell = (v: string | null) => {
    let s = v ?? '';
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\n\r;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const header = 'first_name,last_name,email,phone,company';
  return [header, ...rows.map((r) => [r.firstName, r.lastName, r.email, r.phone, r.company].map(cell).join(','))].join('\r\n') + '\r\n';
}

export function participantList(input: { lang: Language; trainerName: string; course: CourseInfo; participants: ListedParticipant[]; sender: string }): Rendered & { csv: string } {
  const t = T[input.lang];
  const c = input.course;
  const subject = t.listSubject(c.title, c.startDate);
  const rows = courseRows(c, input.lang);
  const hello = t.hello(input.trainerName);
  const intro = t.listIntro(input.participants.length);
  const list = input.participants.map((p) => `${p.firstName} ${p.lastName}, ${p.email}${p.company ? `, ${p.company}` : ''}`);
  const text = `${hello}\n\n${intro}\n\n${rows.map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${list.join('\n')}\n\n${t.closing}\n${input.sender}\n`;
  const htmlList = `<table cellpadding="4" border="1" style="border-collapse: collapse"><tr><th>${t.name}</th><th>${t.email}</th><th>${t.company}</th></tr>${input.participants
    .map((p) => `<tr><td>${esc(`${p.firstName} ${p.lastName}`)}</td><td>${esc(p.email)}</td><td>${esc(p.company ?? '')}</td></tr>`)
    .join('')}</table>`;
  const html = layout(subject, `<p>${esc(hello)}</p><p>${esc(intro)}</p>${table(rows)}${htmlList}<p>${esc(t.closing)}</p>`, input.sender);
  return { subject, html, text, csv: participantCsv(input.participants) };
}

const ALERTS = {
  da: {
    action: 'Hvad skal du gøre',
    partial: {
      title: 'Maconomy afviste deltagere på en ordre',
      labels: { order: 'Ordre', courseDate: 'Kursusdato', booked: 'Tilmeldt', refused: 'Afvist', reason: 'Årsag' },
      action: 'Bestilleren har fået besked om, hvem der er tilmeldt. Tjek pladserne i Maconomy (se seatDrift) og kontakt bestilleren om en anden dato.',
    },
    drift: {
      title: 'Maconomy har færre ledige pladser end der er reserveret her',
      labels: { courseDate: 'Kursusdato', free: 'Ledige i Maconomy', held: 'Reserveret her' },
      action: 'Nye bestillinger på datoen afvises allerede. Tjek kursusdatoen i Maconomy; igangværende bestillinger kan blive afvist ved afsendelse.',
    },
    syncFailed: {
      title: 'En ordre kunne ikke sendes til Maconomy',
      labels: { order: 'Ordre', courseDate: 'Kursusdato', seats: 'Pladser', attempts: 'Forsøg', error: 'Fejl' },
      action: 'Tjek at Maconomy svarer og at kursusdatoen er åben, og send derefter ordren igen med admin-mutationen retryOrderSync. Dens pladser forbliver reserveret imens.',
    },
  },
  en: {
    action: 'What to do',
    partial: {
      title: 'Maconomy refused participants of an order',
      labels: { order: 'Order', courseDate: 'Course date', booked: 'Booked', refused: 'Refused', reason: 'Reason' },
      action: 'The booker has been told who is booked. Check the seats in Maconomy (see seatDrift) and contact the booker about another date.',
    },
    drift: {
      title: 'Maconomy has fewer free seats than are held here',
      labels: { courseDate: 'Course date', free: 'Free in Maconomy', held: 'Held here' },
      action: 'New bookings on the date are already refused. Check the course date in Maconomy; orders in progress may be refused when they are sent.',
    },
    syncFailed: {
      title: 'An order could not be sent to Maconomy',
      labels: { order: 'Order', courseDate: 'Course date', seats: 'Seats', attempts: 'Attempts', error: 'Error' },
      action: 'Check that Maconomy is reachable and the course date is open, then retry the order with the retryOrderSync admin mutation. Its seats stay held meanwhile.',
    },
  },
} as const;

export function operatorAlert(input: { lang: Language; title: string; details: [string, string | number | null][]; action: string }): Rendered {
  const rows = input.details.map(([k, v]) => [k, String(v ?? '')] as [string, string]);
  const what = ALERTS[input.lang].action;
  const subject = `[Kursus] ${input.title}`;
  const text = `${input.title}\n\n${rows.map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${what}: ${input.action}\n`;
  const html = layout(subject, `<h2>${esc(input.title)}</h2>${table(rows)}<p><b>${esc(what)}:</b> ${esc(input.action)}</p>`, 'Kursus');
  return { subject, html, text };
}

type AlertKind = 'syncFailed' | 'partial' | 'drift';
type AlertValues<K extends AlertKind> = { [F in keyof (typeof ALERTS)['en'][K]['labels']]: string | number | null };

/** An operator alert of a known kind: its title, each labelled value in the kind's order, its action. */
function alertOf<K extends AlertKind>(lang: Language, kind: K, values: AlertValues<K>): Rendered {
  const a = ALERTS[lang][kind] as { title: string; labels: Record<string, string>; action: string };
  const details = Object.entries(a.labels).map(([field, label]) => [label, values[field as keyof AlertValues<K>]] as [string, string | number | null]);
  return operatorAlert({ lang, title: a.title, details, action: a.action });
}

/** To OPS_EMAIL when sync-order has used its last attempt and the order is SYNC_FAILED. */
export function orderSyncFailedAlert(input: { lang: Language; orderId: string; courseDate: string | null; seats: number | null; attempts: number | null; error: string }): Rendered {
  return alertOf(input.lang, 'syncFailed', { order: input.orderId, courseDate: input.courseDate, seats: input.seats, attempts: input.attempts, error: input.error });
}

/** To OPS_EMAIL when Maconomy finally refused some participants of an order (PARTIALLY_SYNCED). */
export function partialSyncAlert(input: { lang: Language; orderId: string; courseDate: string; booked: number; refused: number; reason: string }): Rendered {
  return alertOf(input.lang, 'partial', { order: input.orderId, courseDate: input.courseDate, booked: input.booked, refused: input.refused, reason: input.reason });
}

/** To OPS_EMAIL, once per course date and day: Maconomy has fewer free seats than are held here. */
export function seatDriftAlert(input: { lang: Language; courseDate: string; maconomyFreeSeats: number; heldHere: number }): Rendered {
  return alertOf(input.lang, 'drift', { courseDate: input.courseDate, free: input.maconomyFreeSeats, held: input.heldHere });
}
