// Operators' view of the jobs (ADMIN_TOKENS only): state of every job, run a job now, retry a
// failed order sync, resend a failed mail.
import { Arg, Ctx, Field, ID, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { GraphQLDateTime, GraphQLJSON } from 'graphql-scalars';
import { requireRole, type GraphQLContext } from '../graphql/context.js';
import { DomainError, badInput, notFound } from '../errors.js';
import { Order, SeatDrift as SeatDriftEntity } from '../booking/entities.js';
import { SeatDrift } from '../graphql/types.js';
import { MailMessage } from '../mail/entities.js';
import { resendMail } from '../mail/outbox.js';
import { JOBS, SCHEDULES } from './registry.js';

@ObjectType({ description: 'One job occurrence in the job store.' })
export class JobInfo {
  @Field(() => ID)
  id!: string;
  @Field()
  name!: string;
  @Field({ description: 'running, scheduled, queued, completed, failed, repeating or paused' })
  state!: string;
  @Field(() => GraphQLDateTime, { nullable: true })
  nextRunAt!: Date | null;
  @Field(() => GraphQLDateTime, { nullable: true })
  lastRunAt!: Date | null;
  @Field(() => GraphQLDateTime, { nullable: true })
  lastFinishedAt!: Date | null;
  @Field(() => GraphQLDateTime, { nullable: true })
  lockedAt!: Date | null;
  @Field(() => Int)
  failCount!: number;
  @Field(() => String, { nullable: true })
  failReason!: string | null;
  @Field(() => String, { nullable: true, description: 'Cron expression or interval of a recurring job.' })
  repeatInterval!: string | null;
  @Field(() => GraphQLJSON, { nullable: true })
  data!: unknown;
}

@ObjectType()
export class JobOverview {
  @Field()
  name!: string;
  @Field(() => Int)
  total!: number;
  @Field(() => Int)
  running!: number;
  @Field(() => Int)
  queued!: number;
  @Field(() => Int)
  scheduled!: number;
  @Field(() => Int)
  failed!: number;
  @Field(() => Int)
  completed!: number;
  @Field(() => Int, { description: 'Recurring occurrences waiting for their next run.' })
  repeating!: number;
  @Field(() => Int)
  paused!: number;
  @Field(() => String, { nullable: true, description: 'Recurring jobs: cron expression or interval.' })
  interval!: string | null;
  @Field(() => String, { nullable: true, description: 'Recurring jobs: the schedule in words.' })
  schedule!: string | null;
  @Field(() => GraphQLDateTime, { nullable: true, description: 'Recurring jobs: when the last run started.' })
  lastRunAt!: Date | null;
  @Field(() => GraphQLDateTime, { nullable: true })
  lastFinishedAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'Recurring jobs: ok, failed, running or never run.' })
  lastResult!: string | null;
  @Field(() => String, { nullable: true })
  failReason!: string | null;
  @Field(() => GraphQLDateTime, { nullable: true })
  nextRunAt!: Date | null;
}

@ObjectType()
export class FailedMail {
  @Field(() => ID)
  id!: string;
  @Field()
  kind!: string;
  @Field({ description: 'Where the mail goes.' })
  recipient!: string;
  @Field()
  subject!: string;
  @Field()
  status!: string;
  @Field(() => Int)
  attempts!: number;
  @Field(() => String, { nullable: true })
  lastError!: string | null;
  @Field(() => GraphQLDateTime)
  createdAt!: Date;
}

function requireAdmin(ctx: GraphQLContext) {
  requireRole(ctx, 'admin');
  if (!ctx.jobs) throw new DomainError('CONFLICT', 'this process has no job store connection');
  return ctx.jobs;
}

const KNOWN = new Set<string>(Object.values(JOBS));

@Resolver()
export class JobAdminResolver {
  @Query(() => [JobOverview], { description: 'Admins: per job name, counts over all its records, and for recurring jobs the interval, last run, last result and next run.' })
  async jobOverview(@Ctx() ctx: GraphQLContext): Promise<JobOverview[]> {
    const runner = requireAdmin(ctx);
    const counts = new Map((await runner.agenda.getJobsOverview()).map((o) => [o.name, o]));
    // The recurring job of each schedule (one row per name): most names' counts alone made a
    // recurring job look idle (it is neither queued nor running between runs).
    const names = SCHEDULES.map((sch) => sch.name);
    const found = await runner.agenda.queryJobs({ names, includeDisabled: true });
    const recurring = new Map(found.jobs.filter((j) => j.repeatInterval).map((j) => [j.name, j]));
    const all = [...new Set([...names, ...counts.keys()])].sort();
    return all.map((name) => {
      const c = counts.get(name);
      const r = recurring.get(name);
      const sch = SCHEDULES.find((x) => x.name === name);
      const failed = !!r?.failedAt && (!r.lastFinishedAt || r.failedAt >= r.lastFinishedAt);
      return {
        name,
        total: c?.total ?? 0,
        running: c?.running ?? 0,
        queued: c?.queued ?? 0,
        scheduled: c?.scheduled ?? 0,
        failed: c?.failed ?? 0,
        completed: c?.completed ?? 0,
        repeating: c?.repeating ?? 0,
        paused: c?.paused ?? 0,
        interval: r?.repeatInterval ? String(r.repeatInterval) : (sch?.interval ?? null),
        schedule: sch?.description ?? null,
        lastRunAt: r?.lastRunAt ?? null,
        lastFinishedAt: r?.lastFinishedAt ?? null,
        lastResult: !r && !sch ? null : r?.lockedAt ? 'running' : !r?.lastRunAt ? 'never run' : failed ? 'failed' : 'ok',
        failReason: failed ? (r?.failReason ?? null) : null,
        nextRunAt: r?.nextRunAt ?? null,
      };
    });
  }

  @Query(() => [JobInfo], { description: 'Admins: job occurrences, newest first, filtered by name and state.' })
  async jobs(
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String, { nullable: true }) name?: string,
    @Arg('state', () => String, { nullable: true }) state?: string,
    @Arg('limit', () => Int, { nullable: true }) limit?: number,
  ): Promise<JobInfo[]> {
    const runner = requireAdmin(ctx);
    if (limit !== undefined && (limit < 1 || limit > 500)) throw badInput('limit must be between 1 and 500', 'limit');
    const states = ['running', 'scheduled', 'queued', 'completed', 'failed', 'repeating', 'paused'];
    if (state && !states.includes(state)) throw badInput(`state must be one of ${states.join(', ')}`, 'state');
    const result = await runner.agenda.queryJobs({ name: name ?? undefined, state: (state as never) ?? undefined, limit: limit ?? 100, sort: { nextRunAt: 'desc' } });
    return result.jobs.map((j) => ({
      id: String(j._id),
      name: j.name,
      state: j.state,
      nextRunAt: j.nextRunAt ?? null,
      lastRunAt: j.lastRunAt ?? null,
      lastFinishedAt: j.lastFinishedAt ?? null,
      lockedAt: j.lockedAt ?? null,
      failCount: j.failCount ?? 0,
      failReason: j.failReason ?? null,
      repeatInterval: j.repeatInterval ? String(j.repeatInterval) : null,
      data: j.data ?? null,
    }));
  }

  @Mutation(() => Boolean, { description: `Admins: run a job now. Recurring jobs: ${SCHEDULES.map((s) => `${s.name} (${s.description})`).join(', ')}.` })
  async runJob(@Arg('name') name: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    const runner = requireAdmin(ctx);
    if (!KNOWN.has(name) || name === JOBS.syncOrder || name === JOBS.sendOrderConfirmation)
      throw badInput(`name must be one of ${SCHEDULES.map((s) => s.name).concat(JOBS.pushWordpress).join(', ')}; use retryOrderSync for one order`, 'name');
    await runner.agenda.now(name, {});
    return true;
  }

  @Mutation(() => Boolean, { description: 'Admins: send a SYNC_FAILED (or stuck PLACED) order to Maconomy again. Safe to repeat: participants are never created twice.' })
  async retryOrderSync(@Arg('orderId', () => ID) orderId: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    const runner = requireAdmin(ctx);
    const order = await ctx.em.findOne(Order, { id: orderId });
    if (!order) throw notFound(`order ${orderId} does not exist`);
    if (order.status !== 'SYNC_FAILED' && order.status !== 'PLACED') throw new DomainError('CONFLICT', `order is ${order.status}; only PLACED or SYNC_FAILED orders are synced`);
    // The job first, then PLACED: sync-pending-orders never sees this order PLACED without a live
    // job (it would give it up again, its attempts being used up). sync-order takes SYNC_FAILED too.
    await runner.agenda.now(JOBS.syncOrder, { orderId });
    await ctx.em.nativeUpdate(Order, { id: orderId, status: 'SYNC_FAILED' }, { status: 'PLACED', updatedAt: ctx.now() });
    return true;
  }

  @Query(() => [SeatDrift], { description: 'Admins: seat drift found by reconcile-seats, open first, then newest; resolved ones only with includeResolved.' })
  async seatDrift(
    @Ctx() ctx: GraphQLContext,
    @Arg('includeResolved', () => Boolean, { nullable: true, defaultValue: false }) includeResolved: boolean,
  ): Promise<SeatDrift[]> {
    requireAdmin(ctx);
    const rows = await ctx.em.find(SeatDriftEntity, includeResolved ? {} : { resolvedAt: null }, { populate: ['courseDate'], orderBy: { lastSeenAt: 'desc' }, limit: 500 });
    rows.sort((a, b) => Number(a.resolvedAt !== null) - Number(b.resolvedAt !== null));
    return rows.map((d) => ({
      id: d.id,
      kind: d.kind,
      maconomyId: d.courseDate.maconomyId,
      title: d.courseDate.title,
      startDate: d.courseDate.startDate,
      maconomyFreeSeats: d.maconomyFreeSeats,
      heldHere: d.heldHere,
      expectedFreeSeats: d.expectedFreeSeats ?? null,
      firstSeenAt: d.firstSeenAt,
      lastSeenAt: d.lastSeenAt,
      resolvedAt: d.resolvedAt ?? null,
    }));
  }

  @Query(() => [FailedMail], { description: 'Admins: mails that failed or are being retried.' })
  async failedMails(@Ctx() ctx: GraphQLContext): Promise<FailedMail[]> {
    requireAdmin(ctx);
    return ctx.em.find(MailMessage, { status: { $in: ['FAILED', 'RETRYING'] } }, { orderBy: { createdAt: 'desc' }, limit: 200 }) as never;
  }

  @Mutation(() => Boolean, { description: 'Admins: send a failed mail again.' })
  async resendMail(@Arg('mailId', () => ID) mailId: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    const runner = requireAdmin(ctx);
    if (!(await resendMail(ctx.em, mailId, ctx.now()))) throw notFound(`no failed or sent mail ${mailId}`);
    await runner.agenda.now(JOBS.deliverMail, {});
    return true;
  }
}
