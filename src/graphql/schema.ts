import 'reflect-metadata';
import { buildSchema } from 'type-graphql';
import { printSchema, lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { resolvers } from './resolvers.js';
import { callFieldResolversDirectly } from './direct-resolvers.js';

let cached: Promise<GraphQLSchema> | null = null;

export function kursusSchema(): Promise<GraphQLSchema> {
  // Class-validator is not used for inputs (services validate, with the contract's error codes).
  // No global middlewares and no auth checker (roles are checked in the services' callers), which
  // is what lets the field resolvers be called directly (src/graphql/direct-resolvers.ts).
  cached ??= buildSchema({ resolvers, validate: false, emitSchemaFile: false }).then((schema) => {
    callFieldResolversDirectly(schema, resolvers);
    return schema;
  });
  return cached;
}

export async function printKursusSchema(): Promise<string> {
  return printSchema(lexicographicSortSchema(await kursusSchema())) + '\n';
}
