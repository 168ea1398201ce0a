// The back office's GraphQL operations (the SPA under src/admin/ uses only these and the existing
// admin operations of src/jobs/admin-graphql.ts). Editors: course dates. Admins: orders, connector
// log, and everything editors may do. Thin resolvers: the work is in course-dates.ts and orders.ts.
import { Arg, Ctx, Field, ID, InputType, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import { actorOf, requireRole, type GraphQLContext } from '../graphql/context.js';
import { badInput, notFound } from '../errors.js';
import { courseDateForEditor, filterOptions, searchCourseDates, updateCourseDate } from './course-dates.js';
import { searchConnectorLog, searchOrders } from './orders.js';
import type { CourseDate as CourseDateEntity } from '../catalog/entities.js';

@ObjectType()
class BoMainCourse {
  @Field(() => ID) id!: string;
  @Field() title!: string;
  @Field() maconomyNumber!: string;
}

@ObjectType({ description: 'A course day: Maconomy\'s times (read-only) and the editor\'s override (null: Maconomy\'s is shown).' })
class BoCourseDay {
  @Field() date!: string;
  @Field(() => String, { nullable: true }) maconomyStartTime!: string | null;
  @Field(() => String, { nullable: true }) maconomyEndTime!: string | null;
  @Field(() => String, { nullable: true }) startTime!: string | null;
  @Field(() => String, { nullable: true }) endTime!: string | null;
}

@ObjectType()
class BoTrainer {
  @Field() key!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true }) title!: string | null;
  @Field(() => String, { nullable: true, description: 'Where participant lists are mailed; only admins may change it.' }) email!: string | null;
}

@ObjectType({ description: 'What was last pushed to WordPress for this date.' })
class BoWordPressState {
  @Field(() => Int, { nullable: true }) postId!: number | null;
  @Field(() => GraphQLDateTime, { nullable: true }) pushedAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'The first cause of the current failure, if any.' }) lastError!: string | null;
  @Field(() => Int) attempts!: number;
  @Field(() => String, {
    nullable: true,
    description: "The post's status in WordPress at the last push: `trash` means an editor trashed it; Kursus keeps its fields current and leaves it in the trash until Kursus's own publication decision changes (docs/wordpress.md).",
  })
  siteStatus!: string | null;
}

@ObjectType({ description: 'Who changed which field when.' })
class BoAuditEntry {
  @Field(() => GraphQLDateTime) at!: Date;
  @Field() actor!: string;
  @Field() field!: string;
  @Field(() => String, { nullable: true }) oldValue!: string | null;
  @Field(() => String, { nullable: true }) newValue!: string | null;
}

@ObjectType({ description: 'A course date as editors see it: Maconomy\'s fields read-only, the editor-owned ones editable.' })
class BoCourseDate {
  @Field(() => ID) id!: string;
  @Field() maconomyId!: string;
  @Field() title!: string;
  @Field() startDate!: string;
  @Field() endDate!: string;
  @Field() location!: string;
  @Field() status!: string;
  @Field() published!: boolean;
  @Field(() => Int) capacity!: number;
  @Field(() => Int) maconomyFreeSeats!: number;
  @Field({ description: 'Price per seat, e.g. "12500.00 DKK".' }) price!: string;
  @Field(() => BoMainCourse) mainCourse!: BoMainCourse;
  @Field(() => String, { nullable: true, description: 'Maconomy\'s description of the main course (read-only).' }) maconomyDescription!: string | null;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => String, { nullable: true }) note!: string | null;
  @Field(() => [BoCourseDay]) days!: BoCourseDay[];
  @Field(() => [BoTrainer]) trainers!: BoTrainer[];
  @Field(() => BoWordPressState, { nullable: true }) wordpress!: BoWordPressState | null;
  @Field(() => [BoAuditEntry]) audit!: BoAuditEntry[];
}

@ObjectType()
class BoCourseDateRow {
  @Field(() => ID) id!: string;
  @Field() maconomyId!: string;
  @Field() title!: string;
  @Field() mainCourseTitle!: string;
  @Field() startDate!: string;
  @Field() endDate!: string;
  @Field() location!: string;
  @Field() status!: string;
  @Field() published!: boolean;
  @Field(() => Int) maconomyFreeSeats!: number;
}

@ObjectType()
class BoCourseDatePage {
  @Field(() => Int) totalCount!: number;
  @Field(() => [BoCourseDateRow]) items!: BoCourseDateRow[];
}

@ObjectType()
class BoFilterOptions {
  @Field(() => [BoMainCourse]) mainCourses!: BoMainCourse[];
  @Field(() => [String]) locations!: string[];
}

@InputType()
class BoCourseDateFilter {
  @Field(() => String, { nullable: true, description: 'Part of the title, Maconomy id or location.' }) search?: string | null;
  @Field(() => ID, { nullable: true }) mainCourseId?: string | null;
  @Field(() => String, { nullable: true }) location?: string | null;
  @Field(() => String, { nullable: true, description: 'Start date from (YYYY-MM-DD).' }) from?: string | null;
  @Field(() => String, { nullable: true, description: 'Start date to (YYYY-MM-DD).' }) to?: string | null;
}

@InputType()
class BoCourseDayInput {
  @Field() date!: string;
  @Field(() => String, { nullable: true, description: 'HH:MM; empty or null: Maconomy\'s time.' }) startTime?: string | null;
  @Field(() => String, { nullable: true }) endTime?: string | null;
}

@InputType()
class BoTrainerInput {
  @Field() key!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => String, { nullable: true, description: 'Admins only; editors leave it out.' }) email?: string | null;
}

@InputType()
class UpdateCourseDateInput {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => String, { nullable: true }) note?: string | null;
  @Field(() => [BoCourseDayInput], { nullable: true }) days?: BoCourseDayInput[] | null;
  @Field(() => [BoTrainerInput], { nullable: true, description: 'Replaces the trainers of this date.' }) trainers?: BoTrainerInput[] | null;
}

@ObjectType()
class BoParticipant {
  @Field(() => Int) position!: number;
  @Field() firstName!: string;
  @Field() lastName!: string;
  @Field() email!: string;
  @Field(() => String, { nullable: true, description: 'Set once Maconomy has the participant.' }) maconomyParticipantId!: string | null;
  @Field(() => GraphQLDateTime, { nullable: true }) syncedAt!: Date | null;
}

@ObjectType()
class BoOrder {
  @Field(() => ID) id!: string;
  @Field() status!: string;
  @Field(() => Int) seats!: number;
  @Field(() => String, { nullable: true }) bookerName!: string | null;
  @Field(() => String, { nullable: true }) bookerEmail!: string | null;
  @Field(() => String, { nullable: true }) bookerCompany!: string | null;
  @Field(() => ID) courseDateId!: string;
  @Field() courseDateMaconomyId!: string;
  @Field() courseDateTitle!: string;
  @Field(() => GraphQLDateTime) createdAt!: Date;
  @Field(() => GraphQLDateTime, { nullable: true }) placedAt!: Date | null;
  @Field(() => GraphQLDateTime, { nullable: true }) syncedAt!: Date | null;
  @Field(() => Int) syncAttempts!: number;
  @Field(() => String, { nullable: true }) lastSyncError!: string | null;
  @Field(() => [BoParticipant]) participants!: BoParticipant[];
}

@ObjectType()
class BoOrderPage {
  @Field(() => Int) totalCount!: number;
  @Field(() => [BoOrder]) items!: BoOrder[];
}

@ObjectType({ description: 'One connector request/response as stored (redacted, bodies cut at HTTP_LOG_BODY_LIMIT_BYTES).' })
class BoConnectorLogEntry {
  @Field(() => Int) id!: number;
  @Field(() => GraphQLDateTime) at!: Date;
  @Field() direction!: string;
  @Field() system!: string;
  @Field() method!: string;
  @Field() url!: string;
  @Field(() => Int, { nullable: true }) status!: number | null;
  @Field(() => Int) durationMs!: number;
  @Field(() => String, { nullable: true }) correlationId!: string | null;
  @Field(() => String, { nullable: true }) requestHeaders!: string | null;
  @Field(() => String, { nullable: true }) requestBody!: string | null;
  @Field(() => String, { nullable: true }) responseHeaders!: string | null;
  @Field(() => String, { nullable: true }) responseBody!: string | null;
  @Field(() => String, { nullable: true }) error!: string | null;
}

function page(first: number | undefined, offset: number | undefined) {
  const f = first ?? 25;
  const o = offset ?? 0;
  if (!Number.isInteger(f) || f < 1 || f > 100) throw badInput('first must be between 1 and 100', 'first');
  if (!Number.isInteger(o) || o < 0 || o > 1_000_000) throw badInput('offset must be 0 or more', 'offset');
  return { first: f, offset: o };
}

const price = (cd: CourseDateEntity) => `${(cd.priceMinor / 100).toFixed(2)} ${cd.currency}`;

@Resolver()
export class BackOfficeCourseDateResolver {
  @Query(() => BoCourseDatePage, { description: 'Editors: every course date (also past and unpublished), filtered and paged by offset.' })
  async backOfficeCourseDates(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => BoCourseDateFilter, { nullable: true }) filter?: BoCourseDateFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('offset', () => Int, { nullable: true }) offset?: number,
  ): Promise<BoCourseDatePage> {
    requireRole(ctx, 'editor');
    const r = await searchCourseDates(ctx.em, filter ?? {}, page(first, offset));
    return {
      totalCount: r.totalCount,
      items: r.items.map((cd) => ({
        id: cd.id,
        maconomyId: cd.maconomyId,
        title: cd.title,
        mainCourseTitle: (cd.mainCourse as unknown as { title: string }).title,
        startDate: cd.startDate,
        endDate: cd.endDate,
        location: cd.location,
        status: cd.status,
        published: cd.published,
        maconomyFreeSeats: cd.maconomyFreeSeats,
      })),
    };
  }

  @Query(() => BoFilterOptions, { description: 'Editors: the main courses and locations to filter by.' })
  async backOfficeFilterOptions(@Ctx() ctx: GraphQLContext): Promise<BoFilterOptions> {
    requireRole(ctx, 'editor');
    return filterOptions(ctx.em) as never;
  }

  @Query(() => BoCourseDate, { nullable: true, description: 'Editors: one course date with its WordPress state and audit trail.' })
  async backOfficeCourseDate(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<BoCourseDate | null> {
    requireRole(ctx, 'editor');
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw badInput('id is not a course date id', 'id');
    const found = await courseDateForEditor(ctx.em, id);
    if (!found) return null;
    const { cd, wordpress, audit } = found;
    const mc = cd.mainCourse as unknown as { id: string; title: string; maconomyNumber: string; description: string | null };
    return {
      id: cd.id,
      maconomyId: cd.maconomyId,
      title: cd.title,
      startDate: cd.startDate,
      endDate: cd.endDate,
      location: cd.location,
      status: cd.status,
      published: cd.published,
      capacity: cd.capacity,
      maconomyFreeSeats: cd.maconomyFreeSeats,
      price: price(cd),
      mainCourse: { id: mc.id, title: mc.title, maconomyNumber: mc.maconomyNumber },
      maconomyDescription: mc.description ?? null,
      description: cd.editorDescription ?? null,
      note: cd.editorNote ?? null,
      days: cd.days.getItems().map((d) => ({ date: d.date, maconomyStartTime: d.startTime ?? null, maconomyEndTime: d.endTime ?? null, startTime: d.editorStartTime ?? null, endTime: d.editorEndTime ?? null })),
      trainers: cd.trainers
        .getItems()
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((t) => ({ key: t.key, name: t.name, title: t.title ?? null, email: t.email ?? null })),
      wordpress: wordpress ? { postId: wordpress.postId ?? null, pushedAt: wordpress.pushedAt ?? null, lastError: wordpress.lastError ?? null, attempts: wordpress.attempts, siteStatus: wordpress.wpStatus ?? null } : null,
      audit: audit.map((a) => ({ at: a.at, actor: a.actor, field: a.field, oldValue: a.oldValue ?? null, newValue: a.newValue ?? null })),
    };
  }

  @Mutation(() => BoCourseDate, {
    description: 'Editors: saves the editor-owned fields (day times, trainers, description, note). Errors name the field in extensions.field. Updates the storefront catalogue and queues push-wordpress.',
  })
  async updateCourseDate(@Arg('input', () => UpdateCourseDateInput) input: UpdateCourseDateInput, @Ctx() ctx: GraphQLContext): Promise<BoCourseDate> {
    requireRole(ctx, 'editor');
    const changed = await updateCourseDate(ctx.em, input, { role: ctx.role as 'editor' | 'admin', actor: actorOf(ctx), now: ctx.now() });
    if (changed.length) ctx.onCatalogChanged?.([input.id]);
    ctx.log.info({ courseDateId: input.id, fields: changed.length }, 'course date saved in the back office');
    ctx.em.clear();
    return (await this.backOfficeCourseDate(input.id, ctx))!;
  }

  @Mutation(() => Boolean, { description: 'Editors: queue push-wordpress for this course date now.' })
  async pushCourseDateToWordPress(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    requireRole(ctx, 'editor');
    if (!ctx.jobs) throw badInput('this process has no job store connection');
    const found = /^[0-9a-f-]{36}$/i.test(id) ? await courseDateForEditor(ctx.em, id) : null;
    if (!found) throw notFound(`course date ${id} does not exist`);
    await ctx.jobs.agenda.now('push-wordpress', { courseDateIds: [id], reason: 'back office' });
    return true;
  }
}

@Resolver()
export class BackOfficeOperatorResolver {
  @Query(() => BoOrderPage, { description: 'Admins: orders by order id, booker e-mail (part of it) or course date (id or Maconomy id), and status; newest first.' })
  async backOfficeOrders(
    @Ctx() ctx: GraphQLContext,
    @Arg('search', () => String, { nullable: true }) search?: string,
    @Arg('courseDate', () => String, { nullable: true }) courseDate?: string,
    @Arg('status', () => String, { nullable: true }) status?: string,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('offset', () => Int, { nullable: true }) offset?: number,
  ): Promise<BoOrderPage> {
    requireRole(ctx, 'admin');
    return searchOrders(ctx.em, { search, courseDate, status }, page(first, offset)) as never;
  }

  @Query(() => [BoConnectorLogEntry], { description: 'Admins: connector requests and responses, newest first, as stored (redacted).' })
  async connectorLog(
    @Ctx() ctx: GraphQLContext,
    @Arg('system', () => String, { nullable: true }) system?: string,
    @Arg('status', () => String, { nullable: true, description: 'e.g. 200, 4xx, 5xx or error (no response).' }) status?: string,
    @Arg('from', () => GraphQLDateTime, { nullable: true }) from?: Date,
    @Arg('to', () => GraphQLDateTime, { nullable: true }) to?: Date,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('before', () => Int, { nullable: true, description: 'Entries with a smaller id (the next page).' }) before?: number,
  ): Promise<BoConnectorLogEntry[]> {
    requireRole(ctx, 'admin');
    return searchConnectorLog(ctx.em, { system, status, from, to, before }, page(first, 0).first) as never;
  }

  @Query(() => [String], { description: 'Admins: the systems in the connector log.' })
  async connectorLogSystems(@Ctx() ctx: GraphQLContext): Promise<string[]> {
    requireRole(ctx, 'admin');
    const rows = await ctx.em.getConnection().execute<{ system: string }[]>('select distinct `system` from http_log order by `system`');
    return rows.map((r) => r.system);
  }
}

export const backOfficeResolvers = [BackOfficeCourseDateResolver, BackOfficeOperatorResolver] as const;
