// Thin resolvers: argument plumbing and authorisation; the work happens in the services.
import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root, ID, Int } from 'type-graphql';
import type { CourseDate as CourseDateEntity } from '../catalog/entities.js';
import type { Order as OrderEntity } from '../booking/entities.js';
import type { OrderView } from '../booking/service.js';
import type { CourseDateRow, CourseDayRow, MainCourseRow, ParticipantRow, TrainerRow } from '../catalog/read-model.js';
import { dayView, priceView } from '../catalog/catalogue-memory.js';
import { enrichCourse, findCourseDateByRef, listCourseDates, listFromCatalogue, readCourseDateByRef, type CoursePage } from '../catalog/service.js';
import { DomainError, badInput } from '../errors.js';
import { actorOf, requireRole, type GraphQLContext } from './context.js';
import { connectionCost, LOOKUP_COST } from './limits.js';
import { JobAdminResolver } from '../jobs/admin-graphql.js';
import { auditTrainerEmails, refuseTrainerEmailChange } from '../backoffice/course-dates.js';
import { backOfficeResolvers } from '../backoffice/graphql.js';
import {
  Booker, CancelReservationInput, CancelReservationPayload, CheckoutInput, CheckoutPayload, Course, CourseConnection,
  CourseDay, CoursesArgs, EnrichCourseInput, MainCourse, Order, Participant, Price, ReserveSeatsInput, ReserveSeatsPayload, Trainer,
} from './types.js';

/** A course date as the resolvers get it: a read row (listings, course(id)) or an entity (after enrichCourse). */
type CourseDate = CourseDateRow | CourseDateEntity;

export const price = (amountMinor: number, currency: string): Price => priceView(amountMinor, currency);

@Resolver(() => Course)
export class CourseResolver {
  @Query(() => CourseConnection, {
    description: 'Upcoming published course dates, ordered by start date. Relay connection.',
    complexity: ({ args, childComplexity }) => connectionCost(args.first, childComplexity),
  })
  async courses(@Args() args: CoursesArgs, @Ctx() ctx: GraphQLContext): Promise<CourseConnection> {
    const { maxPageSize, defaultPageSize } = ctx.config.graphql;
    const first = args.first ?? defaultPageSize;
    if (!Number.isInteger(first) || first < 1 || first > maxPageSize) throw badInput(`first must be between 1 and ${maxPageSize}`, 'first');
    const filter = args.filter ?? {};
    // The page is found in the copy of the catalogue held in memory, to read its seats with the
    // catalogue's version; when that copy is the current one, it is the answer (found once).
    let guessed: { from: object; page: CoursePage | null } | undefined;
    const catalogue = await ctx.loaders.catalogue((cat) => {
      guessed = { from: cat, page: listFromCatalogue(cat, filter, first, args.after, ctx.now()) };
      return guessed.page?.nodes.map((n) => n.id) ?? [];
    });
    const page = guessed?.page && guessed.from === catalogue ? guessed.page : await listCourseDates(ctx.loaders.reader, filter, first, args.after, ctx.now(), catalogue);
    return {
      totalCount: page.totalCount,
      edges: page.nodes.map((node, i) => ({ cursor: page.cursors[i]!, node: node as unknown as Course })),
      pageInfo: {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: page.hasPreviousPage,
        startCursor: page.cursors[0] ?? null,
        endCursor: page.cursors.at(-1) ?? null,
      },
    };
  }

  @Query(() => Course, { nullable: true, description: 'One course date by id or by Maconomy id (e.g. "25172-04").', complexity: LOOKUP_COST })
  async course(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID, { nullable: true }) id?: string,
    @Arg('maconomyId', () => String, { nullable: true }) maconomyId?: string,
  ): Promise<Course | null> {
    if (!id === !maconomyId) throw badInput('give exactly one of id and maconomyId', id ? 'maconomyId' : 'id');
    const ref = (id ?? maconomyId)!;
    const catalogue = await ctx.loaders.catalogue((cat) => {
      const row = cat.byId.get(ref) ?? cat.byMaconomyId.get(ref);
      return row ? [row.id] : [];
    });
    const found = await readCourseDateByRef(ctx.loaders.reader, ref, catalogue);
    return found as unknown as Course | null;
  }

  @FieldResolver(() => Int, {
    description: "Free seats now: Maconomy's latest count minus the seats held here that Maconomy does not know yet. Reserving and checkout re-check with Maconomy.",
  })
  seatsAvailable(@Root() cd: CourseDate, @Ctx() ctx: GraphQLContext): number | Promise<number> {
    if (cd.status !== 'OPEN' || !cd.published) return 0;
    return ctx.loaders.knownSeats(cd.id) ?? ctx.loaders.seatsLeft.load(cd.id);
  }

  // The fields below answer from the request's copy of the catalogue when a resolver above read it
  // (src/catalog/catalogue-memory.ts): no promise and no DataLoader per course date.
  @FieldResolver(() => Price)
  price(@Root() cd: CourseDate, @Ctx() ctx: GraphQLContext): Price {
    const cat = ctx.loaders.loadedCatalogue();
    const shown = cat?.byId.get(cd.id) === cd ? cat.prices.get(cd.id) : undefined;
    return shown ?? price(cd.priceMinor, cd.currency);
  }

  @FieldResolver(() => String, { nullable: true, description: 'The editor\'s description when set, else Maconomy\'s.' })
  description(@Root() cd: CourseDate, @Ctx() ctx: GraphQLContext): string | null | Promise<string | null> {
    if (cd.editorDescription) return cd.editorDescription;
    const cat = ctx.loaders.loadedCatalogue();
    const text = (mc: MainCourseRow | null | undefined) => mc?.editorDescription ?? mc?.description ?? null;
    if (cat) return text(cat.mainCourses.get(cd.mainCourse.id));
    return ctx.loaders.mainCourse.load(cd.mainCourse.id).then(text);
  }

  @FieldResolver(() => String, { nullable: true, description: 'Practical note from editors.' })
  note(@Root() cd: CourseDate): string | null {
    return cd.editorNote ?? null;
  }

  @FieldResolver(() => MainCourse)
  mainCourse(@Root() cd: CourseDate, @Ctx() ctx: GraphQLContext): MainCourseRow | Promise<MainCourseRow> {
    const cat = ctx.loaders.loadedCatalogue();
    if (cat) return cat.mainCourses.get(cd.mainCourse.id)!;
    return ctx.loaders.mainCourse.load(cd.mainCourse.id).then((mc) => mc!);
  }

  @FieldResolver(() => [CourseDay], { description: 'Course days with times; editor times override Maconomy\'s.', complexity: 2 })
  days(@Root() cd: CourseDate, @Ctx() ctx: GraphQLContext): CourseDay[] | Promise<CourseDay[]> {
    const cat = ctx.loaders.loadedCatalogue();
    if (cat) return cat.dayViews.get(cd.id) ?? [];
    return ctx.loaders.days.load(cd.id).then((days: CourseDayRow[]) => days.map(dayView));
  }

  @FieldResolver(() => [Trainer], { complexity: 2 })
  trainers(@Root() cd: CourseDate, @Ctx() ctx: GraphQLContext): TrainerRow[] | Promise<TrainerRow[]> {
    const cat = ctx.loaders.loadedCatalogue();
    if (cat) return cat.trainers.get(cd.id) ?? [];
    return ctx.loaders.trainers.load(cd.id);
  }
}

@Resolver(() => Order)
export class OrderResolver {
  @Query(() => Order, { nullable: true, description: 'An order, shown only to the holder of its token (null otherwise).', complexity: LOOKUP_COST })
  async order(@Arg('id', () => ID) id: string, @Arg('token') token: string, @Ctx() ctx: GraphQLContext): Promise<OrderView | null> {
    return ctx.booking.findOrder(id, token);
  }

  @FieldResolver(() => Course)
  async course(@Root() order: OrderView, @Ctx() ctx: GraphQLContext): Promise<CourseDateRow> {
    return (await ctx.loaders.courseDate.load(order.courseDate.id))!;
  }

  @FieldResolver(() => [Participant])
  async participants(@Root() order: OrderView, @Ctx() ctx: GraphQLContext): Promise<ParticipantRow[]> {
    return ctx.loaders.participants.load(order.id);
  }

  @FieldResolver(() => Booker, { nullable: true, description: 'Null until checkout, and after GDPR anonymisation.' })
  booker(@Root() o: OrderView): Booker | null {
    if (!o.bookerEmail) return null;
    return { firstName: o.bookerFirstName ?? '', lastName: o.bookerLastName ?? '', email: o.bookerEmail, phone: o.bookerPhone ?? null, company: o.bookerCompany ?? null };
  }

  @FieldResolver(() => Price, { nullable: true, description: 'Seats x price per seat, fixed at checkout.' })
  async total(@Root() o: OrderView, @Ctx() ctx: GraphQLContext): Promise<Price | null> {
    if (o.unitPriceMinor != null && o.currency) return price(o.unitPriceMinor * o.seats, o.currency);
    const cd = await ctx.loaders.courseDate.load(o.courseDate.id);
    return cd ? price(cd.priceMinor * o.seats, cd.currency) : null;
  }
}

@Resolver()
export class BookingResolver {
  @Mutation(() => ReserveSeatsPayload, {
    description: 'Holds seats on a course date for HOLD_MINUTES. With orderId + orderToken, changes the seat count of that reservation and extends its hold.',
  })
  async reserveSeats(@Arg('input', () => ReserveSeatsInput) input: ReserveSeatsInput, @Ctx() ctx: GraphQLContext): Promise<{ order: OrderView; orderToken: string }> {
    const result = await ctx.booking.reserveSeats({ ...input, clientKey: ctx.clientKey });
    // The order id ties a booking together in the logs: this request's id is on the line, and
    // the checkout's id and the order id are on every line of its jobs. No personal data here.
    ctx.log.info({ orderId: result.order.id, seats: result.order.seats, changed: !!input.orderId }, 'seats reserved');
    return result;
  }

  @Mutation(() => CheckoutPayload, { description: 'Places the order: the booker and exactly one participant per seat. Seats stay held until Maconomy has them.' })
  async checkout(@Arg('input', () => CheckoutInput) input: CheckoutInput, @Ctx() ctx: GraphQLContext): Promise<{ order: OrderEntity }> {
    const order = await ctx.booking.checkout(input);
    ctx.log.info({ orderId: order.id, seats: order.seats, status: order.status }, 'order checked out');
    return { order };
  }

  @Mutation(() => CancelReservationPayload, { description: 'Releases the seats of a reservation that has not been checked out.' })
  async cancelReservation(@Arg('input', () => CancelReservationInput) input: CancelReservationInput, @Ctx() ctx: GraphQLContext): Promise<{ order: OrderEntity }> {
    const order = await ctx.booking.cancelReservation(input.orderId, input.orderToken);
    ctx.log.info({ orderId: order.id, status: order.status }, 'reservation cancelled');
    return { order };
  }
}

@Resolver()
export class EditorResolver {
  @Mutation(() => Course, { description: 'Editors only (Authorization: Bearer <EDITOR_TOKENS token>): sets editor-owned fields that the Maconomy import never overwrites.' })
  async enrichCourse(@Arg('input', () => EnrichCourseInput) input: EnrichCourseInput, @Ctx() ctx: GraphQLContext): Promise<CourseDateEntity> {
    requireRole(ctx, 'editor');
    if (input.trainers && ctx.role !== 'admin') await refuseTrainerEmailChange(ctx.em, input.trainers);
    // Who sent participant lists elsewhere is recorded (the back office shows the course date's audit).
    const emailAudit = input.trainers?.some((t) => t.email !== undefined) ? await auditTrainerEmails(ctx.em, input.trainers) : null;
    const cd = await enrichCourse(ctx.em, input);
    await emailAudit?.record(cd.id, { actor: actorOf(ctx), now: ctx.now() });
    ctx.onCatalogChanged?.([cd.id]);
    ctx.em.clear();
    return (await findCourseDateByRef(ctx.em, cd.id))!;
  }
}

export const resolvers = [CourseResolver, OrderResolver, BookingResolver, EditorResolver, JobAdminResolver, ...backOfficeResolvers] as const;
