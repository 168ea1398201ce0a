// Staff of the back office (/admin): named users with the role editor or admin, their browser
// sessions, and the audit trail of what they changed. Only hashes are stored: scrypt for
// passwords, SHA-256 for session ids (256 random bits each, so a fast hash is enough).
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export const STAFF_ROLES = ['editor', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const StaffUser = defineEntity({
  name: 'StaffUser',
  tableName: 'staff_user',
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    /** Lower-cased. */
    email: p.string().length(320).unique(),
    role: p.enum(STAFF_ROLES),
    /** `scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>` (src/connectors/auth/passwords.ts). */
    passwordHash: p.string().length(200),
    /** A disabled user cannot log in and its sessions end at once. */
    active: p.boolean().default(true),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type StaffUser = InferEntity<typeof StaffUser>;

export const StaffSession = defineEntity({
  name: 'StaffSession',
  tableName: 'staff_session',
  properties: {
    /** SHA-256 (hex) of the session id in the cookie. */
    id: p.string().length(64).primary(),
    user: () => p.manyToOne(StaffUser).deleteRule('cascade').index(),
    createdAt: p.datetime(),
    /** Last request seen (written at most once a minute): the idle expiry counts from here. */
    lastSeenAt: p.datetime(),
    /** Absolute expiry: createdAt + STAFF_SESSION_MAX_HOURS, whatever the activity. */
    expiresAt: p.datetime().index(),
  },
});
export type StaffSession = InferEntity<typeof StaffSession>;

export const AuditEntry = defineEntity({
  name: 'AuditEntry',
  tableName: 'audit_entry',
  indexes: [{ properties: ['entityType', 'entityId', 'at'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    at: p.datetime(),
    /** A staff user's e-mail, or `token:editor` / `token:admin` for a bearer-token client. */
    actor: p.string().length(320),
    entityType: p.string().length(50),
    entityId: p.string().length(64),
    /** e.g. `note`, `days[2026-12-01].startTime`, `trainers`. */
    field: p.string().length(200),
    oldValue: p.text().nullable(),
    newValue: p.text().nullable(),
  },
});
export type AuditEntry = InferEntity<typeof AuditEntry>;

export const staffEntities = [StaffUser, StaffSession, AuditEntry];
