// A small hash router: #/course-dates, #/course-dates/<id>, #/orders, #/mails, #/log, #/seat-drift, #/login.
// Hash URLs need no server-side fallback route and keep the query string for filters.
import { ref } from 'vue';

export interface Route {
  name: 'login' | 'course-dates' | 'course-date' | 'orders' | 'mails' | 'log' | 'seat-drift';
  id?: string;
  query: URLSearchParams;
}

function parse(): Route {
  const raw = location.hash.replace(/^#/, '') || '/course-dates';
  const [path = '', qs = ''] = raw.split('?');
  const query = new URLSearchParams(qs);
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'course-dates' && parts[1]) return { name: 'course-date', id: parts[1], query };
  const names = ['login', 'course-dates', 'orders', 'mails', 'log', 'seat-drift'] as const;
  const name = names.find((n) => n === parts[0]) ?? 'course-dates';
  return { name, query };
}

export const route = ref<Route>(parse());
window.addEventListener('hashchange', () => (route.value = parse()));

export function go(path: string, query?: Record<string, string | number | null | undefined>) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== null && v !== undefined && v !== '') qs.set(k, String(v));
  const hash = `#${path}${qs.toString() ? `?${qs}` : ''}`;
  if (location.hash !== hash) location.hash = hash;
  else route.value = parse();
}

export const ADMIN_ONLY: Route['name'][] = ['orders', 'mails', 'log', 'seat-drift'];
