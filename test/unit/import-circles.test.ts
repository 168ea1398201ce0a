// No import circles (issue 16): madge walks every TypeScript module of src/, test/ and migrations/, type-only
// imports included (a circle of types is still a circle in the design), and names each circle it
// finds. Break one by moving the shared piece into a module of its own (src/jobs/types.ts,
// src/config-error.ts are examples).
import madge from 'madge';

test('no module of src/, test/ or migrations/ imports itself through others', async () => {
  const graph = await madge(['src', 'test', 'migrations'], {
    fileExtensions: ['ts'],
    tsConfig: 'tsconfig.json',
    detectiveOptions: { ts: { skipTypeImports: false } },
  });
  // Enough of the tree was read that an empty answer means something.
  expect(Object.keys(graph.obj()).length).toBeGreaterThan(150);
  expect(graph.circular().map((circle) => circle.join(' -> '))).toEqual([]);
}, 60_000);
