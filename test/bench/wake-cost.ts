// What waking up costs on this machine, without Kursus: the same pure-JavaScript unit of work
// (parse, walk and serialise ~15 KB of JSON; no I/O) done back to back, then with a pause before
// each unit, as a paced request arrives at an idle process. CPU per unit of this process.
//   node dist/test/bench/wake-cost.js [--gap=5] [--n=500]
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const gapMs = Number(arg('gap') ?? 5);
const n = Number(arg('n') ?? 500);

const data = JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ id: i, name: `course ${i}`, seats: i % 13, tags: ['a', 'b', String(i)] })));
const seen = new Map<string, { seats: number }>();
function unit(): number {
  const rows = JSON.parse(data) as { id: number; name: string; seats: number }[];
  let sum = 0;
  for (const row of rows) {
    seen.set(row.name, row);
    sum += row.seats + (seen.get(`course ${row.id >> 1}`)?.seats ?? 0);
  }
  return JSON.stringify(rows).length + sum;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
for (let i = 0; i < 2000; i++) unit(); // optimised before measuring

async function measure(gap: number) {
  const before = process.cpuUsage();
  let inside = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    unit();
    inside += performance.now() - t;
    await (gap ? pause(gap) : null);
  }
  const cpu = process.cpuUsage(before);
  return { cpuUs: Math.round((cpu.user + cpu.system) / n), wallInsideUs: Math.round((inside * 1000) / n) };
}

for (let round = 1; round <= 2; round++) {
  const busy = await measure(0);
  const paced = await measure(gapMs);
  process.stdout.write(
    `round ${round}: back to back ${busy.cpuUs} µs CPU per unit (${busy.wallInsideUs} µs inside it); ` +
      `after a ${gapMs} ms pause ${paced.cpuUs} µs CPU per unit (${paced.wallInsideUs} µs inside it): x${(paced.cpuUs / busy.cpuUs).toFixed(1)}\n`,
  );
}
