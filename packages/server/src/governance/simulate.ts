import type { EntityManager } from '@mikro-orm/postgresql';
import { evaluateGovernance, type BehaviourSignals, type CompiledGovernance, type SubmittedAction } from '@countersign/governance';
import { AppError } from '../errors.js';
import { ActionStatus, Mode, type RiskLevel } from '../shared/enums.js';
import { StatusReason } from '../actions/status-reason.js';
import { countsByMode } from '../actions/counts.js';
import type { ActionRow } from '../actions/action.view.js';
import { parseOrThrow } from './governance.service.js';
import { grantLimitsOf, grantable } from '../grants/scope.js';
import { judgeBreakGlass } from '../break-glass/break-glass.rules.js';

/** A stored request as a simulation replays it: its input, its signals at the time, and how it was handled. */
export interface StoredRequest {
  id: string;
  agentId: string;
  agent: { name: string; tags: string[] };
  createdAt: Date;
  status: ActionStatus;
  statusReason: string | null;
  input: SubmittedAction;
  behaviour: BehaviourSignals;
  handled: { mode: Mode; level: RiskLevel; score: number; policy: string | null; route: string | null };
}

/** How a draft would handle a stored request, against how it was handled. */
export interface Replay {
  mode: Mode;
  level: RiskLevel;
  score: number;
  policy: string | null;
  route: string | null;
  modeChanged: boolean;
  levelChanged: boolean;
  /** Both times it needed people, and the draft sends it to another route (or to none). */
  routeChanged: boolean;
  /** It needs people under the draft and no route matches: it would be denied (NO_ROUTE). */
  noRoute: boolean;
  /** The draft would send it for approval under a policy whose `grants` block lets a standing approval cover it. */
  grantable: boolean;
  /** It was approved by break-glass, and the draft would deny it (break-glass not allowed, no route, or BLOCK). */
  breakGlassRefused: boolean;
  notes: string[];
}

/** Replays one stored request through a draft document. */
export function replay(compiled: CompiledGovernance | null, request: StoredRequest): Replay {
  const evaluation = evaluateGovernance(compiled, request.input, request.agent, request.behaviour);
  const { handled } = request;
  const route = evaluation.route?.name ?? null;
  // A suspended agent's request was denied before routing: its missing route says nothing.
  const wasRouted = needsPeople(handled.mode) && request.statusReason !== StatusReason.AGENT_SUSPENDED;
  return {
    mode: evaluation.policy.mode,
    level: evaluation.policy.level,
    score: evaluation.risk.score,
    policy: evaluation.policy.policy,
    route,
    modeChanged: evaluation.policy.mode !== handled.mode,
    levelChanged: evaluation.policy.level !== handled.level,
    routeChanged: wasRouted && evaluation.needsRoute && route !== handled.route,
    noRoute: evaluation.needsRoute && route === null,
    grantable: route !== null && grantable(
      { mode: evaluation.policy.mode, level: evaluation.policy.level, requiredApprovals: Math.max(evaluation.policy.requiredApprovals, compiled?.chains.get(evaluation.route!.chain)?.levels[0]?.requiredApprovals ?? 1), suspended: false },
      grantLimitsOf(compiled, evaluation.policy.policy),
    ).covered,
    breakGlassRefused: request.statusReason === StatusReason.BREAK_GLASS && (evaluation.policy.mode === Mode.BLOCK || judgeBreakGlass(evaluation.policy, route !== null).kind === 'REFUSED'),
    notes: evaluation.notes,
  };
}

function needsPeople(mode: Mode): boolean {
  return mode === Mode.ASYNC_REVIEW || mode === Mode.SYNC_APPROVAL;
}

/** One request the draft would handle differently. */
export interface SimulatedChange {
  actionId: string;
  agentId: string;
  type: string;
  summary: string;
  createdAt: Date;
  status: ActionStatus;
  fromMode: Mode;
  toMode: Mode;
  fromLevel: RiskLevel;
  toLevel: RiskLevel;
  fromScore: number;
  toScore: number;
  fromPolicy: string | null;
  toPolicy: string | null;
  fromRoute: string | null;
  toRoute: string | null;
  noRoute: boolean;
}

export interface SimulationResult {
  since: Date;
  evaluated: number;
  /** More requests matched than one simulation replays; the newest were replayed. */
  truncated: boolean;
  /** Requests the draft would handle differently: another mode, level or route. */
  changed: number;
  modeChanged: number;
  levelChanged: number;
  routeChanged: number;
  noRoute: number;
  /** Requests the draft would send for approval under a policy that lets grants cover them. */
  grantable: number;
  /** Break-glass approvals the draft would deny (see {@link Replay.breakGlassRefused}); the daily limit is not replayed. */
  breakGlassRefused: number;
  byMode: { mode: Mode; count: number }[];
  currentByMode: { mode: Mode; count: number }[];
  transitions: { from: Mode; to: Mode; count: number }[];
  /** Newest first, at most the number asked for. */
  changes: SimulatedChange[];
  /** Draft conditions that failed to evaluate on stored requests, with how many requests each failed on. */
  evaluationNotes: { message: string; count: number }[];
}

/** Tallies replays into a {@link SimulationResult}; requests are recorded newest first. */
export class SimulationTally {
  private evaluated = 0;
  private changed = 0;
  private modeChanged = 0;
  private levelChanged = 0;
  private routeChanged = 0;
  private noRoute = 0;
  private grantable = 0;
  private breakGlassRefused = 0;
  private readonly byMode = new Map<Mode, number>();
  private readonly currentByMode = new Map<Mode, number>();
  private readonly transitions = new Map<string, { from: Mode; to: Mode; count: number }>();
  private readonly changes: SimulatedChange[] = [];
  private readonly notes = new Map<string, number>();

  constructor(private readonly maxChanges: number) {}

  record(request: StoredRequest, outcome: Replay): void {
    this.evaluated += 1;
    increment(this.byMode, outcome.mode);
    increment(this.currentByMode, request.handled.mode);
    for (const note of new Set(outcome.notes)) increment(this.notes, note);
    if (outcome.noRoute) this.noRoute += 1;
    if (outcome.grantable) this.grantable += 1;
    if (outcome.breakGlassRefused) this.breakGlassRefused += 1;
    if (outcome.modeChanged) {
      this.modeChanged += 1;
      const key = `${request.handled.mode}>${outcome.mode}`;
      const transition = this.transitions.get(key) ?? { from: request.handled.mode, to: outcome.mode, count: 0 };
      transition.count += 1;
      this.transitions.set(key, transition);
    }
    if (outcome.levelChanged) this.levelChanged += 1;
    if (outcome.routeChanged) this.routeChanged += 1;
    if (!(outcome.modeChanged || outcome.levelChanged || outcome.routeChanged)) return;
    this.changed += 1;
    if (this.changes.length < this.maxChanges) {
      this.changes.push({
        actionId: request.id, agentId: request.agentId, type: request.input.type, summary: request.input.summary ?? '', createdAt: request.createdAt,
        status: request.status, fromMode: request.handled.mode, toMode: outcome.mode, fromLevel: request.handled.level, toLevel: outcome.level,
        fromScore: request.handled.score, toScore: outcome.score, fromPolicy: request.handled.policy, toPolicy: outcome.policy,
        fromRoute: request.handled.route, toRoute: outcome.route, noRoute: outcome.noRoute,
      });
    }
  }

  result(since: Date, truncated: boolean): SimulationResult {
    return {
      since,
      evaluated: this.evaluated,
      truncated,
      changed: this.changed,
      modeChanged: this.modeChanged,
      levelChanged: this.levelChanged,
      routeChanged: this.routeChanged,
      noRoute: this.noRoute,
      grantable: this.grantable,
      breakGlassRefused: this.breakGlassRefused,
      byMode: countsByMode((mode) => this.byMode.get(mode) ?? 0),
      currentByMode: countsByMode((mode) => this.currentByMode.get(mode) ?? 0),
      transitions: [...this.transitions.values()].sort((a, b) => b.count - a.count),
      changes: this.changes,
      evaluationNotes: [...this.notes.entries()]
        .map(([message, count]) => ({ message, count }))
        .sort((a, b) => b.count - a.count || a.message.localeCompare(b.message))
        .slice(0, MAX_NOTES),
    };
  }
}

function increment<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Signals as they would be for an agent with no history: used for requests stored without theirs. */
const NO_SIGNALS: BehaviourSignals = { firstUseOfType: false, requestsLastHour: 0, baselinePerHour: null, usualAmount: null, recentDenials: 0, recentFlags: 0 };

/** Reads the behaviour signals stored on a request, defensively: anything malformed counts as no signals. */
export function storedBehaviour(value: unknown): BehaviourSignals {
  if (typeof value !== 'object' || value === null) return NO_SIGNALS;
  const v = value as Record<string, unknown>;
  const num = (x: unknown, fallback: number) => (typeof x === 'number' && Number.isFinite(x) ? x : fallback);
  const usual = v.usualAmount as Record<string, unknown> | null | undefined;
  return {
    firstUseOfType: v.firstUseOfType === true,
    requestsLastHour: num(v.requestsLastHour, 0),
    baselinePerHour: typeof v.baselinePerHour === 'number' ? v.baselinePerHour : null,
    usualAmount: usual && typeof usual === 'object' ? { p50: num(usual.p50, 0), p95: num(usual.p95, 0), samples: num(usual.samples, 0) } : null,
    recentDenials: num(v.recentDenials, 0),
    recentFlags: num(v.recentFlags, 0),
  };
}

/** Requests replayed per query: enough to amortise the round trip, few enough that payloads stay a few MB. */
const PAGE_SIZE = 250;
/** One simulation replays at most this many requests (the newest); a few seconds of work. */
export const MAX_SIMULATED = 100_000;
export const DEFAULT_SIMULATION_DAYS = 7;
export const MAX_LISTED_CHANGES = 1000;
const MAX_NOTES = 50;

/** A stored request as the replay reads it: the columns it needs of the plain row, its agent, and its behaviour signals. */
interface Row
  extends Pick<
    ActionRow,
    | 'id' | 'agent_id' | 'type' | 'operation' | 'summary' | 'justification' | 'expected_outcome' | 'resource' | 'data_classification'
    | 'data_categories' | 'record_count' | 'destination_system' | 'destination_external' | 'amount_value' | 'amount_currency' | 'payload'
    | 'context' | 'risk_score' | 'risk_level' | 'mode' | 'policy' | 'route' | 'status' | 'status_reason' | 'created_at'
  > {
  agent_name: string;
  agent_tags: string[];
  behaviour: unknown;
}

/** The columns of a stored request that make its input. */
export type InputColumns = Pick<
  ActionRow,
  | 'type' | 'operation' | 'summary' | 'justification' | 'expected_outcome' | 'resource' | 'data_classification' | 'data_categories'
  | 'record_count' | 'destination_system' | 'destination_external' | 'amount_value' | 'amount_currency' | 'payload' | 'context'
>;

/** The submitted input as submitAction normalised and stored it (`payload`: another one to evaluate it with instead). */
export function storedInput(row: InputColumns, payload: unknown = row.payload): SubmittedAction {
  return {
    type: row.type,
    operation: row.operation,
    summary: row.summary,
    justification: row.justification,
    expectedOutcome: row.expected_outcome,
    resource: row.resource,
    dataClassification: row.data_classification,
    dataCategories: row.data_categories,
    recordCount: row.record_count,
    destination: row.destination_system === null ? null : { system: row.destination_system, external: row.destination_external ?? false },
    amount: row.amount_value === null || row.amount_currency === null ? null : { value: row.amount_value, currency: row.amount_currency },
    payload,
    context: row.context,
  };
}

function toStoredRequest(row: Row): StoredRequest {
  return {
    id: row.id,
    agentId: row.agent_id,
    agent: { name: row.agent_name, tags: row.agent_tags },
    createdAt: new Date(row.created_at),
    status: row.status,
    statusReason: row.status_reason,
    input: storedInput(row),
    behaviour: storedBehaviour(row.behaviour),
    handled: { mode: row.mode, level: row.risk_level, score: row.risk_score, policy: row.policy, route: row.route },
  };
}

/**
 * `simulateGovernance` (DESIGN §4): replays the requests stored since `since` through a
 * draft document — with each request's stored input and the behaviour signals it had —
 * and reports what the draft would handle differently, before anyone applies it. Reads in
 * pages, newest first, so memory stays flat and the event loop is released between pages.
 * The agent's current name and tags stand in for those it had (they are not stored per
 * request).
 */
export async function simulateGovernance(
  em: EntityManager,
  source: string,
  options: { since?: Date | null; first?: number | null; now: Date },
): Promise<SimulationResult> {
  const { compiled } = parseOrThrow(source);
  const since = options.since ?? new Date(options.now.getTime() - DEFAULT_SIMULATION_DAYS * 86_400_000);
  if (Number.isNaN(since.getTime())) throw AppError.badInput('since is not a valid time.', 'since');
  const first = options.first ?? 100;
  if (!Number.isInteger(first) || first < 0 || first > MAX_LISTED_CHANGES) {
    throw AppError.badInput(`first must be between 0 and ${MAX_LISTED_CHANGES}.`, 'first');
  }

  const tally = new SimulationTally(first);
  let cursor: { createdAt: string | Date; id: string } | null = null;
  let replayed = 0;
  for (;;) {
    const take = Math.min(PAGE_SIZE, MAX_SIMULATED - replayed + 1);
    const rows: Row[] = await em.execute<Row[]>(
      `select a."id", a."agent_id", g."name" as "agent_name", g."tags" as "agent_tags", a."type", a."operation", a."summary",
              a."justification", a."expected_outcome", a."resource", a."data_classification", a."data_categories", a."record_count",
              a."destination_system", a."destination_external", a."amount_value"::float8 as "amount_value", a."amount_currency",
              a."payload", a."context", a."behaviour", a."risk_score", a."risk_level", a."mode", a."policy", a."route",
              a."status", a."status_reason", a."created_at"
       from "action_request" a join "agent" g on g."id" = a."agent_id"
       where a."created_at" >= ? ${cursor ? 'and (a."created_at", a."id") < (?::timestamptz, ?::uuid)' : ''}
       order by a."created_at" desc, a."id" desc
       limit ?`,
      cursor ? [since, cursor.createdAt, cursor.id, take] : [since, take],
    );
    for (const row of rows) {
      if (replayed === MAX_SIMULATED) return tally.result(since, true);
      const request = toStoredRequest(row);
      tally.record(request, replay(compiled, request));
      replayed += 1;
    }
    if (rows.length < take) return tally.result(since, false);
    const last = rows.at(-1)!;
    cursor = { createdAt: last.created_at, id: last.id };
  }
}
