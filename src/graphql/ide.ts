// The offline GraphQL IDE (Altair from the altair-static package: no CDN, no account, no online
// features). It opens with the README's walk-through ready to run, and an editor window whose
// Authorization header is already in the Headers pane, so nobody has to guess where a token goes.
import { renderAltair } from 'altair-static';
import { DEMO_SECRETS, type Config } from '../config.js';

/** The storefront walk-through, operation by operation (the README runs the same operations). */
export const WALKTHROUGH_OPERATIONS = `# Kursus storefront walk-through. Run the operations from top to bottom (the run button
# asks which one). Reserve answers an order id and an orderToken: copy them into the
# Variables pane below as ORDER_ID and ORDER_TOKEN, then run ChangeSeats, Checkout and Order.
query Upcoming {
  courses(first: 5, filter: { onlyAvailable: true }) {
    totalCount
    edges { node { id maconomyId title startDate location seatsAvailable price { amount currency } days { date startTime endTime } } }
    pageInfo { hasNextPage endCursor }
  }
}

mutation Reserve($COURSE_ID: ID!) {
  reserveSeats(input: { courseId: $COURSE_ID, seats: 1 }) {
    orderToken
    order { id status seats expiresAt }
  }
}

mutation ChangeSeats($COURSE_ID: ID!, $ORDER_ID: ID!, $ORDER_TOKEN: String!) {
  reserveSeats(input: { courseId: $COURSE_ID, seats: 2, orderId: $ORDER_ID, orderToken: $ORDER_TOKEN }) {
    order { id seats expiresAt }
  }
}

mutation Checkout($ORDER_ID: ID!, $ORDER_TOKEN: String!) {
  checkout(input: {
    orderId: $ORDER_ID, orderToken: $ORDER_TOKEN,
    booker: { firstName: "Mette", lastName: "Kjær", email: "mette@firma.dk", company: "Firma A/S" },
    participants: [
      { firstName: "Mette", lastName: "Kjær", email: "mette@firma.dk" },
      { firstName: "Jens", lastName: "Olsen", email: "jens@firma.dk" }
    ]
  }) { order { id status seats participants { position firstName } total { amount currency } } }
}

query Order($ORDER_ID: ID!, $ORDER_TOKEN: String!) {
  order(id: $ORDER_ID, token: $ORDER_TOKEN) { status seats course { title startDate } participants { firstName } }
}
`;

/** An editor's operation: needs `Authorization: Bearer <editor token>` (see the Headers pane). */
export const EDITOR_OPERATIONS = `# Editors only. The token goes in this window's headers ("Set Headers" in the left
# sidebar): Authorization: Bearer <a token from EDITOR_TOKENS>. In demo mode
# that is "Bearer demo-editor-token", already filled in for this window.
mutation Enrich($COURSE_ID: ID!) {
  enrichCourse(input: {
    courseId: $COURSE_ID,
    description: "Et praktisk kursus med mange øvelser.",
    trainers: [{ key: "mkj", name: "Mette Kjær", title: "Chefkonsulent" }]
  }) { id maconomyId description trainers { name title } days { date startTime endTime } }
}
`;

export function renderIde(config: Config, baseURL: string, courseId = '<a course id or Maconomy id>'): string {
  const demoEditor = config.demo && config.editorTokens.includes(DEMO_SECRETS.editorToken);
  const variables = JSON.stringify({ COURSE_ID: courseId, ORDER_ID: 'order.id from Reserve', ORDER_TOKEN: 'orderToken from Reserve' }, null, 2);
  return renderAltair({
    baseURL,
    endpointURL: '/graphql',
    disableAccount: true,
    initialWindows: [
      {
        initialName: 'Editor: enrichCourse',
        initialQuery: EDITOR_OPERATIONS,
        initialVariables: JSON.stringify({ COURSE_ID: courseId }, null, 2),
        initialHeaders: { Authorization: demoEditor ? `Bearer ${DEMO_SECRETS.editorToken}` : 'Bearer <a token from EDITOR_TOKENS>' },
      },
      // Last, so it is the window the IDE opens on.
      { initialName: 'Storefront walk-through', initialQuery: WALKTHROUGH_OPERATIONS, initialVariables: variables },
    ],
    // Offline: no banners (the "Try Altair AI" one), no update or push notifications, no plugins
    // fetched from the internet. Persisted, so a settings change stored in the browser cannot
    // bring them back.
    persistedSettings: {
      'banners.disable': true,
      'alert.disableUpdateNotification': true,
      disablePushNotification: true,
      'plugin.list': [],
    },
  });
}
