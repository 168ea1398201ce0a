import { parse, validate } from 'graphql';
import { kursusSchema } from '../../src/graphql/schema.js';
import { cachedQueryCost, documentShapeRule, queryCost } from '../../src/graphql/limits.js';

describe('depth limit', () => {
  it('counts depth through fragments and rejects deeper operations with BAD_USER_INPUT', async () => {
    const schema = await kursusSchema();
    const query = parse(`
      fragment Deep on Course { mainCourse { id } }
      query { courses { edges { node { ...Deep } } } }`);
    expect(validate(schema, query, [documentShapeRule(5, 1000)])).toHaveLength(0);
    const errors = validate(schema, query, [documentShapeRule(4, 1000)]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/nested 5 levels deep; the maximum is 4/);
    expect(errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('is not fooled by fragment cycles', async () => {
    const schema = await kursusSchema();
    const query = parse(`fragment A on Query { ...B } fragment B on Query { ...A } query { ...A }`);
    expect(() => validate(schema, query, [documentShapeRule(3, 1000)])).not.toThrow();
  });
});

describe('query cost, remembered per document', () => {
  it('gives the cost queryCost gives, for each value of the variables the cost depends on', async () => {
    const schema = await kursusSchema();
    const cost = cachedQueryCost(schema);
    const doc = parse('query L($n: Int, $d: Boolean!, $f: CourseFilter) { courses(first: $n, filter: $f) { edges { node { id days @include(if: $d) { date } trainers { name } } } } }');
    for (const variables of [{ n: 5, d: true }, { n: 100, d: true }, { n: 5, d: false }, { n: 100, d: false }, { n: 5, d: true }]) {
      expect(cost(doc, variables, undefined)).toBe(queryCost(schema, doc, variables, undefined));
    }
    // first: 100 costs more than first: 5, and dropping days costs less: both reach the cache's answers.
    expect(cost(doc, { n: 100, d: true })).toBeGreaterThan(cost(doc, { n: 5, d: true }));
    expect(cost(doc, { n: 100, d: false })).toBeLessThan(cost(doc, { n: 100, d: true }));
    // An absent variable takes its default; an explicit null does not (first: null means 20 here).
    const withDefault = parse('query D($n: Int = 5) { courses(first: $n) { edges { node { id } } } }');
    expect(cost(withDefault, {})).toBe(queryCost(schema, withDefault, {}, undefined));
    expect(cost(withDefault, { n: null })).toBe(queryCost(schema, withDefault, { n: null }, undefined));
    expect(cost(withDefault, { n: null })).toBeGreaterThan(cost(withDefault, {}));
    // A variable the cost does not depend on (the filter) gives the same cost without a new walk.
    expect(cost(doc, { n: 5, d: true, f: { onlyAvailable: true } })).toBe(queryCost(schema, doc, { n: 5, d: true }, undefined));
  });

  it('walks a document whose cost no variable changes once, whatever its variables', async () => {
    const schema = await kursusSchema();
    const cost = cachedQueryCost(schema);
    const doc = parse('mutation R($input: ReserveSeatsInput!) { reserveSeats(input: $input) { orderToken order { id seats } } }');
    const first = cost(doc, { input: { courseId: 'a', seats: 1 } });
    expect(first).toBe(queryCost(schema, doc, { input: { courseId: 'a', seats: 1 } }));
    // A variable of the wrong type would make queryCost throw; the remembered cost is returned,
    // and execution's own coercion refuses the request (BAD_USER_INPUT, see the hostile suite).
    expect(() => queryCost(schema, doc, { input: { courseId: 'a', seats: 'many' } })).toThrow();
    expect(cost(doc, { input: { courseId: 'a', seats: 'many' } })).toBe(first);
  });
});
