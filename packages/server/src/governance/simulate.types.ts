import { ObjectType, Field, ID, Int } from 'type-graphql';
import { ActionStatus, Mode, RiskLevel } from '../shared/enums.js';
import { DateTimeScalar } from '../graphql/scalars.js';
import { ModeCountType } from '../actions/counts.types.js';
import type * as simulation from './simulate.js';

@ObjectType('ModeTransition', { description: 'How many requests would move from one mode to another.' })
export class ModeTransitionType {
  @Field(() => Mode) from!: Mode;
  @Field(() => Mode) to!: Mode;
  @Field(() => Int) count!: number;
}

@ObjectType('SimulationNote', { description: 'A draft condition that failed to evaluate on stored requests (and so counted as false).' })
export class SimulationNoteType {
  @Field(() => String, { description: 'e.g. `policy payments adjust[0].when: No such key: amount`.' }) message!: string;
  @Field(() => Int, { description: 'On how many of the replayed requests.' }) count!: number;
}

@ObjectType('SimulatedChange', { description: 'A stored request the draft would handle differently: as it was handled, and under the draft.' })
export class SimulatedChangeType implements Omit<simulation.SimulatedChange, 'actionId' | 'agentId'> {
  @Field(() => ID) actionId!: string;
  agentId!: string;
  @Field(() => String) type!: string;
  @Field(() => String) summary!: string;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => ActionStatus, { description: 'Its status now.' }) status!: ActionStatus;
  @Field(() => Mode) fromMode!: Mode;
  @Field(() => Mode) toMode!: Mode;
  @Field(() => RiskLevel) fromLevel!: RiskLevel;
  @Field(() => RiskLevel) toLevel!: RiskLevel;
  @Field(() => Int) fromScore!: number;
  @Field(() => Int) toScore!: number;
  @Field(() => String, { nullable: true }) fromPolicy!: string | null;
  @Field(() => String, { nullable: true }) toPolicy!: string | null;
  @Field(() => String, { nullable: true }) fromRoute!: string | null;
  @Field(() => String, { nullable: true }) toRoute!: string | null;
  @Field(() => Boolean, { description: 'It would need people and no route of the draft matches: it would be denied (NO_ROUTE).' }) noRoute!: boolean;
}

@ObjectType('GovernanceSimulation', {
  description:
    'Stored requests replayed through a draft governance document, with their stored input and the behaviour signals they had: ' +
    'what the draft would handle differently. The agents\' current names and tags stand in for those they had.',
})
export class GovernanceSimulationType implements Omit<simulation.SimulationResult, 'changes'> {
  @Field(() => DateTimeScalar, { description: 'Requests submitted since then were replayed.' }) since!: Date;
  @Field(() => Int) evaluated!: number;
  @Field(() => Boolean, { description: 'More requests matched than one simulation replays (100,000): the newest were replayed.' }) truncated!: boolean;
  @Field(() => Int, { description: 'Requests the draft would handle differently: another mode, level or route.' }) changed!: number;
  @Field(() => Int) modeChanged!: number;
  @Field(() => Int) levelChanged!: number;
  @Field(() => Int, { description: 'Requests that need people both times and would take another route.' }) routeChanged!: number;
  @Field(() => Int, { description: 'Requests that would need people and match no route of the draft: they would be denied (NO_ROUTE).' }) noRoute!: number;
  @Field(() => Int, { description: "Requests the draft would send for approval under a policy whose `grants` block lets a standing approval cover them (DESIGN §12): what grants could take off approvers' queues." })
  grantable!: number;
  @Field(() => Int, { description: 'Requests approved by break-glass that the draft would deny: its policy does not allow break-glass, no route matches, or it blocks them (the daily limit is not replayed).' }) breakGlassRefused!: number;
  @Field(() => [ModeCountType], { description: 'Modes under the draft.' }) byMode!: ModeCountType[];
  @Field(() => [ModeCountType], { description: 'Modes as the requests were handled.' }) currentByMode!: ModeCountType[];
  @Field(() => [ModeTransitionType], { description: 'Mode changes, most frequent first.' }) transitions!: ModeTransitionType[];
  @Field(() => [SimulatedChangeType], { description: 'The requests handled differently, newest first (as many as asked for).' }) changes!: SimulatedChangeType[];
  @Field(() => [SimulationNoteType], { description: 'Draft conditions that failed to evaluate, most frequent first.' }) evaluationNotes!: SimulationNoteType[];
}
