/** What a state change records about itself; the chain fields are filled in here. */
export interface AuditEntry {
  kind: string;
  subjectType: string;
  subjectId: string | null;
  actorType: string;
  actorId: string | null;
  data?: unknown;
  at?: Date;
}
