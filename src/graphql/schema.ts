import 'reflect-metadata';
import { buildSchema } from 'type-graphql';
import { printSchema, lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { resolvers } from './resolvers.js';

let cached: Promise<GraphQLSchema> | null = null;

export function kursusSchema(): Promise<GraphQLSchema> {
  // Class-validator is not used for inputs (services validate, with the contract's error codes).
  cached ??= buildSchema({ resolvers, validate: false, emitSchemaFile: false });
  return cached;
}

export async function printKursusSchema(): Promise<string> {
  return printSchema(lexicographicSortSchema(await kursusSchema())) + '\n';
}
