import { ObjectType, Field, Int, Float, registerEnumType } from 'type-graphql';
import { ActionStatus, Mode, RiskLevel } from '../shared/enums.js';
import { DateTimeScalar, JSONScalar } from '../graphql/scalars.js';
import { ModeCountType, StatusCountType } from '../actions/counts.types.js';
import { ALERT_THRESHOLDS, AlertKind, AlertSeverity } from './alerts.js';
import type * as report from './report.js';

registerEnumType(AlertKind, { name: 'AlertKind', description: 'What an oversight alert is about.' });
registerEnumType(AlertSeverity, { name: 'AlertSeverity', description: 'INFO: could be tuned; WARNING: oversight is weakening; CRITICAL: work is failing now.' });

@ObjectType('ModeStatusCount')
export class ModeStatusCountType implements report.ModeStatusCount {
  @Field(() => Mode) mode!: Mode;
  @Field(() => ActionStatus) status!: ActionStatus;
  @Field(() => Int) count!: number;
}

@ObjectType('LatencySummary', { description: 'Percentiles of a duration, in seconds (null when there is nothing to measure).' })
export class LatencySummaryType implements report.LatencySummary {
  @Field(() => Int, { description: 'How many durations were measured.' }) count!: number;
  @Field(() => Float, { nullable: true }) p50!: number | null;
  @Field(() => Float, { nullable: true }) p90!: number | null;
  @Field(() => Float, { nullable: true }) p95!: number | null;
  @Field(() => Float, { nullable: true }) p99!: number | null;
  @Field(() => Float, { nullable: true }) mean!: number | null;
}

@ObjectType('MetricsPoint', { description: 'One bucket of the window: submissions by creation time, everything else by when it happened.' })
export class MetricsPointType implements report.MetricsPoint {
  @Field(() => DateTimeScalar, { description: 'Start of the bucket.' }) at!: Date;
  @Field(() => Int) submitted!: number;
  @Field(() => Int) auto!: number;
  @Field(() => Int) asyncReview!: number;
  @Field(() => Int) syncApproval!: number;
  @Field(() => Int, { description: 'Submitted and blocked by a policy.' }) blocked!: number;
  @Field(() => Int, { description: 'Human decisions that ended a request.' }) decided!: number;
  @Field(() => Int) approved!: number;
  @Field(() => Int) denied!: number;
  @Field(() => Int) changesRequested!: number;
  @Field(() => Int) expired!: number;
  @Field(() => Int) escalations!: number;
  @Field(() => Float, { nullable: true, description: 'Median seconds from submission to decision, over the decisions of the bucket.' }) decisionLatencyP50!: number | null;
  @Field(() => Float, { nullable: true }) decisionLatencyP90!: number | null;
  @Field(() => Int, { description: 'Requests waiting for approval at the end of the bucket (now, for the current one).' }) queueDepth!: number;
}

@ObjectType('ApproverPoint')
export class ApproverPointType implements report.ApproverPoint {
  @Field(() => DateTimeScalar) at!: Date;
  @Field(() => Int) decisions!: number;
  @Field(() => Int) approved!: number;
}

@ObjectType('ApproverMetrics', { description: "One approver's decisions in the window and their load now." })
export class ApproverMetricsType implements Omit<report.ApproverMetrics, 'name' | 'roles' | 'active'> {
  approverId!: string;
  @Field(() => Int) decisions!: number;
  @Field(() => Int) approved!: number;
  @Field(() => Int) denied!: number;
  @Field(() => Int) changesRequested!: number;
  @Field(() => Float, { nullable: true }) approveRate!: number | null;
  @Field(() => Float, { nullable: true, description: 'Median seconds from being assigned a request to deciding it.' }) medianSecondsToDecide!: number | null;
  @Field(() => Int, { description: `Approvals given within ${ALERT_THRESHOLDS.rubberStamping.quickSeconds} seconds of being assigned.` }) quickApprovals!: number;
  @Field(() => Int, { description: 'Requests waiting for their approval now.' }) pending!: number;
  @Field(() => Int, { description: 'Requests waiting for their review now.' }) toReview!: number;
  @Field(() => Int, { description: 'Approval assignments received in the window.' }) assigned!: number;
  @Field(() => Int, { description: 'Reviews (acknowledge or flag) given in the window.' }) reviews!: number;
  @Field(() => Int) flags!: number;
  @Field(() => [ApproverPointType]) series!: ApproverPointType[];
}

@ObjectType('PolicyLevelMetrics', { description: "A policy's human decisions at one risk level." })
export class PolicyLevelMetricsType implements report.PolicyLevelMetrics {
  @Field(() => RiskLevel) level!: RiskLevel;
  @Field(() => Int) decided!: number;
  @Field(() => Int) approved!: number;
  @Field(() => Float, { nullable: true }) approvalRate!: number | null;
}

@ObjectType('PolicyPoint')
export class PolicyPointType implements report.PolicyPoint {
  @Field(() => DateTimeScalar) at!: Date;
  @Field(() => Int) submitted!: number;
  @Field(() => Int) decided!: number;
  @Field(() => Int) approved!: number;
}

@ObjectType('PolicyMetrics', { description: 'The requests one policy decided: volume (submitted in the window) and outcomes (decided in the window).' })
export class PolicyMetricsType implements report.PolicyMetrics {
  @Field(() => String, { nullable: true, description: 'Null: no policy matched and the defaults decided.' }) policy!: string | null;
  @Field(() => Int) submitted!: number;
  @Field(() => [ModeCountType]) byMode!: ModeCountType[];
  @Field(() => Int) decided!: number;
  @Field(() => Int) approved!: number;
  @Field(() => Int) denied!: number;
  @Field(() => Int) changesRequested!: number;
  @Field(() => Int) expired!: number;
  @Field(() => Float, { nullable: true }) approvalRate!: number | null;
  @Field(() => Float, { nullable: true }) decisionLatencyP50!: number | null;
  @Field(() => [PolicyLevelMetricsType]) levels!: PolicyLevelMetricsType[];
  @Field(() => [PolicyPointType]) series!: PolicyPointType[];
}

@ObjectType('ChainMetrics', { description: 'How the requests held for approval through one escalation chain ended in the window.' })
export class ChainMetricsType implements report.ChainMetrics {
  @Field(() => String, { nullable: true }) chain!: string | null;
  @Field(() => Int, { description: 'Decided by a human or expired.' }) resolved!: number;
  @Field(() => Int) decided!: number;
  @Field(() => Int) expired!: number;
  @Field(() => Int, { description: 'Expired because the last level timed out.' }) timedOut!: number;
  @Field(() => Int, { description: 'Expired at once: nobody in the chain was available.' }) noApproversAvailable!: number;
  @Field(() => Int, { description: 'Escalated past their first level at least once.' }) escalated!: number;
  @Field(() => Float, { nullable: true }) expiryRate!: number | null;
  @Field(() => Float, { nullable: true }) escalationRate!: number | null;
  @Field(() => Float, { nullable: true }) decisionLatencyP50!: number | null;
}

@ObjectType('RoleShare')
export class RoleShareType implements Omit<report.RoleShare, 'name'> {
  approverId!: string;
  @Field(() => Int) decisions!: number;
  @Field(() => Float, { description: 'Of the decisions made through the role.' }) share!: number;
}

@ObjectType('RoleMetrics', { description: 'How the decisions that reached people through one role were shared among them.' })
export class RoleMetricsType implements Omit<report.RoleMetrics, 'shares'> {
  @Field(() => String) role!: string;
  @Field(() => Int, { description: 'Active approvers holding the role now.' }) members!: number;
  @Field(() => Int) decisions!: number;
  @Field(() => [RoleShareType], { description: 'Most decisions first.' }) shares!: RoleShareType[];
}

@ObjectType('MetricsAlert', { description: 'A finding about how governance is working, the change to consider, and the numbers behind it.' })
export class MetricsAlertType {
  @Field(() => AlertKind) kind!: AlertKind;
  @Field(() => AlertSeverity) severity!: AlertSeverity;
  @Field(() => String, { nullable: true, description: 'The approver, policy, role or chain concerned (null: the whole system).' }) subject!: string | null;
  @Field(() => String) message!: string;
  @Field(() => String) suggestion!: string;
  @Field(() => JSONScalar, { description: 'The numbers that raised the alert.' }) evidence!: Record<string, unknown>;
}

@ObjectType('Metrics', {
  description:
    'How governance is working over a window: submissions (requests created in the window, in their status now), ' +
    'outcomes and activity (decisions, expiries and escalations that happened in the window), the queue now and over time, ' +
    'per approver, policy, chain and role, and the alerts these numbers raise. "Resolved" requests were held for approval and then ' +
    'decided by a human or expired. Durations are in seconds; a rate with nothing to take it over is null.',
})
export class MetricsType {
  @Field(() => String, { description: 'e.g. 24h.' }) window!: string;
  @Field(() => String, { description: 'The size of each point of the series, e.g. 30m.' }) bucket!: string;
  @Field(() => DateTimeScalar) since!: Date;
  @Field(() => DateTimeScalar) until!: Date;

  @Field(() => Int, { description: 'Requests submitted in the window.' }) submitted!: number;
  @Field(() => [ModeCountType]) byMode!: ModeCountType[];
  @Field(() => [StatusCountType], { description: 'Status now of the requests submitted in the window.' }) byStatus!: StatusCountType[];
  @Field(() => [ModeStatusCountType]) byModeAndStatus!: ModeStatusCountType[];

  @Field(() => Int, { description: 'Requests waiting for approval now: the queue depth.' }) pending!: number;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When the longest-waiting request was submitted.' }) oldestPendingSince!: Date | null;
  @Field(() => Int, { description: 'ASYNC_REVIEW requests nobody has reviewed yet, now.' }) unreviewed!: number;

  @Field(() => Int, { description: 'Requests a human decided in the window.' }) decided!: number;
  @Field(() => Int) approved!: number;
  @Field(() => Int) denied!: number;
  @Field(() => Int) changesRequested!: number;
  @Field(() => Float, { nullable: true, description: 'Share of the decided requests that were approved.' }) approvalRate!: number | null;
  @Field(() => Float, { nullable: true }) denialRate!: number | null;
  @Field(() => Float, { nullable: true }) changesRequestedRate!: number | null;
  @Field(() => LatencySummaryType, { description: 'Seconds from submission to the human decision, over the requests decided in the window.' }) decisionLatency!: LatencySummaryType;

  @Field(() => Int, { description: 'Escalations (a level timed out and the next took over) in the window.' }) escalations!: number;
  @Field(() => Int, { description: 'Resolved requests that were escalated at least once.' }) escalated!: number;
  @Field(() => Float, { nullable: true, description: 'Share of the resolved requests that were escalated.' }) escalationRate!: number | null;
  @Field(() => Int, { description: 'Requests that expired in the window: nobody decided, the action did not run.' }) expired!: number;
  @Field(() => Float, { nullable: true, description: 'Share of the resolved requests that expired.' }) expiryRate!: number | null;
  @Field(() => Int, { description: 'Requests submitted in the window that break-glass approved with nobody deciding (statusReason BREAK_GLASS).' }) breakGlassUses!: number;
  @Field(() => Int, { description: 'Requests submitted in the window that asked for break-glass and were refused it (BREAK_GLASS_LIMIT or BREAK_GLASS_NOT_ALLOWED).' }) breakGlassRefused!: number;

  @Field(() => [MetricsPointType], { description: 'One point per bucket, oldest first, empty buckets included.' }) series!: MetricsPointType[];
  @Field(() => [ApproverMetricsType], { description: 'Approvers who decided, reviewed or have work waiting; most decisions first.' }) approvers!: ApproverMetricsType[];
  @Field(() => [PolicyMetricsType], { description: 'Most submissions first.' }) policies!: PolicyMetricsType[];
  @Field(() => [ChainMetricsType]) chains!: ChainMetricsType[];
  @Field(() => [RoleMetricsType]) roles!: RoleMetricsType[];
  @Field(() => [MetricsAlertType], { description: 'Approval-fatigue findings, most severe first.' }) alerts!: MetricsAlertType[];
}
