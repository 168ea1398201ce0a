// The storefront's reads as the bench asks them (test/bench/run.ts, read-micro.ts).
const LISTING_FIELDS = `totalCount
  edges { cursor node { id maconomyId title startDate endDate location seatsAvailable status
    price { amount currency } days { date startTime endTime } trainers { name title } } }
  pageInfo { hasNextPage endCursor }`;
export const CATALOGUE_QUERY = `query Catalogue { courses(first: 20) { ${LISTING_FIELDS} } }`;
export const SEARCH_QUERY = `query Search($location: String!, $search: String!) { courses(first: 20, filter: { location: $location, search: $search }) { ${LISTING_FIELDS} } }`;
export const PAGE_QUERY = `query Page($after: String!) { courses(first: 20, after: $after) { ${LISTING_FIELDS} } }`;
export const COURSE_QUERY = `query Course($id: ID!) { course(id: $id) { id maconomyId title description note startDate endDate location
  capacity status published seatsAvailable price { amountMinor amount currency }
  mainCourse { id maconomyNumber title description category } days { date startTime endTime } trainers { id key name title bio } } }`;
export const ORDER_QUERY = `query Order($id: ID!, $token: String!) { order(id: $id, token: $token) { id status seats expiresAt placedAt
  course { id maconomyId title startDate endDate location } total { amountMinor amount currency }
  booker { firstName lastName email phone company } participants { id position firstName lastName email phone company } } }`;
