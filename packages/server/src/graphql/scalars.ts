import { GraphQLDateTime, GraphQLJSON } from 'graphql-scalars';

/** The contract's scalars (DESIGN §4): `DateTime` (ISO 8601) and `JSON`. */
export const DateTimeScalar = GraphQLDateTime;
export const JSONScalar = GraphQLJSON;
