import { InputType, Field, ID, Int, Float } from 'type-graphql';
import { DataClassification, Operation, OutcomeStatus } from '../shared/enums.js';
import { JSONScalar } from '../graphql/scalars.js';
import { BreakGlassInput } from '../break-glass/break-glass.inputs.js';

@InputType('DestinationInput')
export class DestinationInput {
  @Field(() => String, { description: 'The system the data or money goes to, e.g. "stripe".' }) system!: string;
  @Field(() => Boolean, { description: 'True when it leaves the organisation.' }) external!: boolean;
}

@InputType('AmountInput')
export class AmountInput {
  @Field(() => Float, { description: 'Non-negative.' }) value!: number;
  @Field(() => String, { description: 'ISO 4217 code, e.g. USD.' }) currency!: string;
}

@InputType('ActionInput', { description: 'What an agent wants to do (DESIGN §2 step 1).' })
export class ActionInput {
  @Field(() => String, { description: 'Dotted name, e.g. payments.transfer.' }) type!: string;
  @Field(() => Operation) operation!: Operation;
  @Field(() => String, { description: 'One line an approver reads first.' }) summary!: string;
  @Field(() => String, { nullable: true, description: 'What prompted the action.' }) justification?: string | null;
  @Field(() => String, { nullable: true }) expectedOutcome?: string | null;
  @Field(() => String, { nullable: true, description: 'What the action touches, e.g. invoice:INV-42.' }) resource?: string | null;
  @Field(() => DataClassification, { nullable: true }) dataClassification?: DataClassification | null;
  @Field(() => [String], { nullable: true, description: 'e.g. PII, PHI, PCI.' }) dataCategories?: string[] | null;
  @Field(() => Int, { nullable: true }) recordCount?: number | null;
  @Field(() => DestinationInput, { nullable: true }) destination?: DestinationInput | null;
  @Field(() => AmountInput, { nullable: true }) amount?: AmountInput | null;
  @Field(() => JSONScalar, { nullable: true, description: 'The exact arguments the action will run with.' }) payload?: unknown;
  @Field(() => JSONScalar, { nullable: true, description: 'Free JSON: conversation, on whose behalf, trace id.' }) context?: unknown;
  @Field(() => String, { nullable: true, description: 'Unique per agent: resubmitting with the same key returns the same request.' }) idempotencyKey?: string | null;
  @Field(() => ID, { nullable: true, description: 'The request this one revises after changes were requested.' }) revisionOf?: string | null;
  @Field(() => BreakGlassInput, { nullable: true, description: "Break-glass (DESIGN §12): approve at once, where the policy allows it, with a mandatory review afterwards." }) breakGlass?: BreakGlassInput | null;
}

@InputType('OutcomeInput')
export class OutcomeInput {
  @Field(() => OutcomeStatus) status!: OutcomeStatus;
  @Field(() => String, { nullable: true }) detail?: string | null;
  @Field(() => JSONScalar, { nullable: true }) result?: unknown;
}
