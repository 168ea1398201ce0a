// Field resolvers called directly, without type-graphql's wrapper around each call.
//
// type-graphql calls a @FieldResolver through a generic handler: it asks its container for the
// resolver class's instance, dispatches the (here empty) middleware chain, and builds the
// method's arguments from the parameter decorators (sorting the parameter list and mapping it to
// a new array on every call). A listing calls four field resolvers per course date (seatsAvailable,
// price, days, trainers): 80 such calls for a page of 20. When a field resolver takes only
// @Root(), @Ctx() and @Info() (no arguments to convert, no middlewares, no roles), the same call
// is a plain function call: the schema's resolver is replaced by one that calls the method with
// the values in the order it declares them. Anything else keeps type-graphql's handler.
import { GraphQLObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { getMetadataStorage } from 'type-graphql';

interface ParamMetadata {
  kind: string;
  index: number;
  propertyName?: string;
  getType?: () => unknown;
}
interface FieldResolverMetadata {
  kind: 'external' | 'internal';
  target: new () => Record<string, (...args: unknown[]) => unknown>;
  methodName: string;
  schemaName: string;
  params?: ParamMetadata[];
  middlewares?: unknown[];
  roles?: unknown[];
  getObjectType?: () => unknown;
}
interface ObjectTypeMetadata {
  name: string;
  target: unknown;
}

/** A parameter this module can pass as it is: the root object (as given), the context, the info. */
const plain = (p: ParamMetadata): boolean =>
  (p.kind === 'root' && !p.propertyName && (!p.getType || p.getType() === Object)) || (p.kind === 'context' && !p.propertyName) || p.kind === 'info';

/**
 * Replaces, in `schema` (built by type-graphql from `resolverClasses`, without global middlewares
 * or an auth checker), the resolvers of the field resolvers that take only plain parameters.
 */
export function callFieldResolversDirectly(schema: GraphQLSchema, resolverClasses: readonly unknown[]): void {
  const storage = getMetadataStorage() as unknown as { fieldResolvers: FieldResolverMetadata[]; objectTypes: ObjectTypeMetadata[] };
  const instances = new Map<unknown, Record<string, (...args: unknown[]) => unknown>>();
  for (const def of storage.fieldResolvers) {
    if (def.kind !== 'external' || !resolverClasses.includes(def.target) || !def.params || !def.getObjectType) continue;
    if (def.middlewares?.length || def.roles) continue;
    const params = [...def.params].sort((a, b) => a.index - b.index);
    if (!params.every(plain) || params.some((p, i) => p.index !== i)) continue;
    const objectClass = def.getObjectType();
    const typeName = storage.objectTypes.find((o) => o.target === objectClass)?.name;
    const type = typeName ? schema.getType(typeName) : undefined;
    if (!(type instanceof GraphQLObjectType)) continue;
    const field = type.getFields()[def.schemaName];
    if (!field) continue;
    let instance = instances.get(def.target);
    if (!instance) instances.set(def.target, (instance = new def.target()));
    const target = instance;
    const method = target[def.methodName]!;
    const kinds = params.map((p) => p.kind).join(',');
    let resolve: GraphQLFieldResolver<unknown, unknown>;
    if (kinds === 'root') resolve = (root) => method.call(target, root);
    else if (kinds === 'root,context') resolve = (root, _args, ctx) => method.call(target, root, ctx);
    else if (kinds === 'context,root') resolve = (root, _args, ctx) => method.call(target, ctx, root);
    else {
      const pick = params.map((p) => p.kind);
      resolve = (root, _args, ctx, info) => method.apply(target, pick.map((k) => (k === 'root' ? root : k === 'context' ? ctx : info)));
    }
    field.resolve = resolve;
  }
}
