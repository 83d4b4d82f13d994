import { Agent } from '../principals/agent.entity.js';
import { Approver } from '../principals/approver.entity.js';
import { AdminToken } from '../principals/admin-token.entity.js';
import { ActionRequest } from '../actions/action-request.entity.js';
import { Decision } from '../decisions/decision.entity.js';
import { Review } from '../decisions/review.entity.js';
import { Assignment, AssignmentTerms, ApproverSet, GroupAssignment } from '../escalation/assignment.entity.js';
import { DirectoryVersion } from '../escalation/directory-version.entity.js';
import { Timer } from '../escalation/timer.entity.js';
import { Delegation } from '../delegation/delegation.entity.js';
import { AuditEvent, AuditHead } from '../audit/audit-event.entity.js';
import { SigningKey } from '../receipts/signing-key.entity.js';
import { GovernanceVersion } from '../governance/governance-version.entity.js';
import { WebhookEndpoint, NotificationDelivery } from '../notifications/webhook.entity.js';
import { ServerSetting } from './setting.entity.js';
import { WebSession } from '../auth/session.entity.js';
import { Grant, GrantUse } from '../grants/grant.entity.js';
import { BreakGlassRequest } from '../break-glass/break-glass.entity.js';

/** Every entity, listed explicitly (no folder scanning: it breaks under vitest and bundlers). */
export const entities = [
  Agent,
  Approver,
  AdminToken,
  ActionRequest,
  Decision,
  Review,
  AssignmentTerms,
  Assignment,
  ApproverSet,
  GroupAssignment,
  Timer,
  DirectoryVersion,
  Delegation,
  AuditEvent,
  AuditHead,
  SigningKey,
  GovernanceVersion,
  WebhookEndpoint,
  NotificationDelivery,
  ServerSetting,
  WebSession,
  Grant,
  GrantUse,
  BreakGlassRequest,
];
