// Where a V8 CPU profile (`--cpu-prof`, e.g. KURSUS_BENCH_CPU_PROF=<dir> npm run bench) spent its
// time: self time by package (node_modules/<package>, node:internal, the app's own files) and the
// top functions by self and inclusive time.
//   node dist/test/bench/profile-summary.js <profile.cpuprofile> [top N]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [path, topArg = '25'] = process.argv.slice(2);
if (!path) {
  process.stderr.write('usage: profile-summary.js <profile.cpuprofile> [top N]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

function packageOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return url.startsWith('node:internal') ? 'node:internal' : url;
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? `app ${url.slice(dist + 6).split('/').slice(0, 2).join('/')}` : url;
}
const name = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`;

const pkgSelf = new Map<string, number>();
const fnSelf = new Map<string, number>();
const fnIncl = new Map<string, number>();
let busy = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const node = byId.get(profile.samples[i]!)!;
  const dt = profile.timeDeltas[i + 1] ?? 0;
  if (node.callFrame.functionName === '(idle)') continue;
  busy += dt;
  const pkg = packageOf(node.callFrame.url, node.callFrame.functionName);
  pkgSelf.set(pkg, (pkgSelf.get(pkg) ?? 0) + dt);
  fnSelf.set(name(node), (fnSelf.get(name(node)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
    const k = name(byId.get(id)!);
    if (seen.has(k)) continue;
    seen.add(k);
    fnIncl.set(k, (fnIncl.get(k) ?? 0) + dt);
  }
}
const top = Number(topArg);
const show = (m: Map<string, number>, n: number) =>
  [...m]
    .filter(([k]) => !/^\((root|program)\)|processTicksAndRejections|runMicrotasks/.test(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => `  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`)
    .join('\n');
process.stdout.write(`${(busy / 1000).toFixed(0)} ms busy (not idle)\nself time by package:\n${show(pkgSelf, top)}\nself time by function:\n${show(fnSelf, top)}\ninclusive:\n${show(fnIncl, top * 2)}\n`);
