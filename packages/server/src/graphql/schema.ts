import 'reflect-metadata';
import './enums.js';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import type { GraphQLSchema } from 'graphql';
import { authChecker } from './auth-checker.js';
import { DateTimeScalar } from './scalars.js';
import { PrincipalsResolver, AgentFieldsResolver } from '../principals/principals.resolver.js';
import { ActionsResolver, AssigneeFieldsResolver, DecisionFieldsResolver, ReviewFieldsResolver } from '../actions/actions.resolver.js';
import { GovernanceResolver } from '../governance/governance.resolver.js';
import { AuditResolver } from '../audit/audit.resolver.js';
import { ReceiptsResolver } from '../receipts/receipts.resolver.js';
import { DecisionsResolver } from '../decisions/decisions.resolver.js';
import { ActionContextResolver, ActionDigestResolver, AgentContextResolver, PastDecisionResolver } from '../actions/context.resolver.js';
import { ApproverMetricsResolver, FlaggedGrantResolver, MetricsResolver, RoleShareResolver, SuggestedGrantResolver } from '../metrics/metrics.resolver.js';
import { SimulateResolver, SimulatedChangeResolver } from '../governance/simulate.resolver.js';
import { DelegationResolver } from '../delegation/delegation.resolver.js';
import { WebhookDeliveryFieldsResolver, WebhooksResolver } from '../notifications/webhooks.resolver.js';
import { SubscriptionsResolver } from '../events/subscriptions.resolver.js';
import { NotificationDeliveriesResolver } from '../notifications/deliveries.resolver.js';
import { NotificationPreferencesResolver } from '../notifications/email/preferences.resolver.js';
import { ActionGrantResolver, GrantsResolver } from '../grants/grant.resolver.js';
import { GrantOfferResolver } from '../grants/offer.resolver.js';
import { createPubSub } from '../events/pubsub.js';
import { BreakGlassFieldsResolver } from '../break-glass/break-glass.resolver.js';

/** Every resolver of the API. Each domain folder contributes its own. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const resolvers: NonEmptyArray<Function> = [
  PrincipalsResolver,
  AgentFieldsResolver,
  ActionsResolver,
  DecisionFieldsResolver,
  ReviewFieldsResolver,
  AssigneeFieldsResolver,
  GovernanceResolver,
  AuditResolver,
  ReceiptsResolver,
  DecisionsResolver,
  ActionContextResolver,
  AgentContextResolver,
  ActionDigestResolver,
  PastDecisionResolver,
  MetricsResolver,
  ApproverMetricsResolver,
  RoleShareResolver,
  FlaggedGrantResolver,
  SuggestedGrantResolver,
  SimulateResolver,
  SimulatedChangeResolver,
  DelegationResolver,
  WebhooksResolver,
  WebhookDeliveryFieldsResolver,
  NotificationDeliveriesResolver,
  NotificationPreferencesResolver,
  SubscriptionsResolver,
  GrantsResolver,
  ActionGrantResolver,
  GrantOfferResolver,
  BreakGlassFieldsResolver,
];

/** Builds the executable schema (validation is done by the services, not class-validator). */
export function createSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    authChecker,
    authMode: 'error',
    validate: false,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    pubSub: createPubSub(),
  });
}
