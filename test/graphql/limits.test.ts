import { parse, validate } from 'graphql';
import { kursusSchema } from '../../src/graphql/schema.js';
import { depthLimitRule } from '../../src/graphql/limits.js';

describe('depth limit', () => {
  it('counts depth through fragments and rejects deeper operations with BAD_USER_INPUT', async () => {
    const schema = await kursusSchema();
    const query = parse(`
      fragment Deep on Course { mainCourse { id } }
      query { courses { edges { node { ...Deep } } } }`);
    expect(validate(schema, query, [depthLimitRule(5)])).toHaveLength(0);
    const errors = validate(schema, query, [depthLimitRule(4)]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/nested 5 levels deep; the maximum is 4/);
    expect(errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('is not fooled by fragment cycles', async () => {
    const schema = await kursusSchema();
    const query = parse(`fragment A on Query { ...B } fragment B on Query { ...A } query { ...A }`);
    expect(() => validate(schema, query, [depthLimitRule(3)])).not.toThrow();
  });
});
