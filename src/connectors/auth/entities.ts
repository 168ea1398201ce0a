// Machine clients of the REST connectors (ERPs, shops): users who log in with e-mail and password
// and receive expiring bearer tokens. Only hashes are stored: scrypt for passwords, SHA-256 for
// tokens (256 random bits each, so a fast hash is enough).
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export const ConnectorUser = defineEntity({
  name: 'ConnectorUser',
  tableName: 'connector_user',
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    /** Lower-cased. */
    email: p.string().length(320).unique(),
    name: p.string().length(200),
    /** `scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>` */
    passwordHash: p.string().length(200),
    /** An inactive user cannot log in and its tokens stop working. */
    active: p.boolean().default(true),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type ConnectorUser = InferEntity<typeof ConnectorUser>;

export const ConnectorToken = defineEntity({
  name: 'ConnectorToken',
  tableName: 'connector_token',
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    user: () => p.manyToOne(ConnectorUser).deleteRule('cascade'),
    /** SHA-256 (hex) of the bearer token. */
    tokenHash: p.string().length(64).unique(),
    expiresAt: p.datetime().index(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ConnectorToken = InferEntity<typeof ConnectorToken>;

export const connectorAuthEntities = [ConnectorUser, ConnectorToken];
