// Our side of the WordPress mapping: core WordPress cannot find a post by meta value, so the
// maconomyId -> post id link and what was last pushed live here, one row per course date.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { CourseDate } from '../../catalog/entities.js';

export const WordPressPost = defineEntity({
  name: 'WordPressPost',
  tableName: 'wordpress_post',
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    courseDate: () => p.manyToOne(CourseDate).unique().deleteRule('cascade'),
    /** WordPress post id; null until a create is confirmed (or after the post vanished from WordPress). */
    postId: p.integer().nullable(),
    /** sha256 of the post fields last pushed successfully; differs from the current one = needs a push. */
    pushedHash: p.string().length(64).nullable(),
    pushedAt: p.datetime().nullable(),
    /**
     * Set (and committed) before a create is sent, cleared when its post id is stored. Still set
     * with no postId = a create may have landed unrecorded: look the post up by slug before creating.
     */
    createStartedAt: p.datetime().nullable(),
    /** Slug sent with the create, so an unrecorded create can be found again even after a title change. */
    slug: p.string().length(200).nullable(),
    /** The status Kursus last sent; the status is sent again only when Kursus's own decision changes. */
    pushedStatus: p.string().length(20).nullable(),
    /** The status WordPress reported in its last answer: `trash` = an editor trashed it (left so, see docs/wordpress.md). */
    wpStatus: p.string().length(20).nullable(),
    /** The first cause of the current failure (a later, consequential failure does not replace it). */
    lastError: p.text().nullable(),
    /** Attempts since the last successful push (a create counts when it starts). */
    attempts: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type WordPressPost = InferEntity<typeof WordPressPost>;

export const wordpressEntities = [WordPressPost];
