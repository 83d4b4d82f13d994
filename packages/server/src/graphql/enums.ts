import { registerEnumType } from 'type-graphql';
import {
  ActionStatus, AgentStatus, ChangeOp, DataClassification, Mode, Operation, OutcomeStatus,
  PrincipalKind, ReviewStatus, ReviewVerdict, RiskLevel, Verdict,
} from '../shared/enums.js';

/** Every contract enum, registered once under its contract name. */
registerEnumType(Operation, { name: 'Operation', description: 'What kind of thing the action does.' });
registerEnumType(DataClassification, { name: 'DataClassification', description: 'How sensitive the data the action touches is.' });
registerEnumType(RiskLevel, { name: 'RiskLevel' });
registerEnumType(Mode, { name: 'Mode', description: 'How much human attention the action gets.' });
registerEnumType(ActionStatus, { name: 'ActionStatus', description: 'All but PENDING are terminal.' });
registerEnumType(ReviewStatus, { name: 'ReviewStatus' });
registerEnumType(Verdict, { name: 'Verdict' });
registerEnumType(ReviewVerdict, { name: 'ReviewVerdict' });
registerEnumType(OutcomeStatus, { name: 'OutcomeStatus' });
registerEnumType(PrincipalKind, { name: 'PrincipalKind' });
registerEnumType(AgentStatus, { name: 'AgentStatus' });
registerEnumType(ChangeOp, { name: 'ChangeOp' });
