import type { DirectoryCache } from './escalation/directory.js';
import type { GroupingOptions } from './escalation/assignments.js';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { TokenHasher } from './auth/tokens.js';
import type { SecretBox } from './secrets/secret-box.js';
import type { GovernanceCache } from './governance/governance.service.js';
import type { ReceiptService } from './receipts/receipts.service.js';
import type { EventBus } from './events/event-bus.js';
import type { QueueStream } from './events/queue-stream.js';
import type { GroupCommitter } from './db/group-commit.js';
import type { SqlExecutor } from './db/sql.js';
import type { CommitFacts } from './actions/commit-facts.js';
import type { AgentKeyCache } from './auth/principal.js';
import type { BehaviourCache } from './actions/behaviour.js';
import type { GrantCandidates } from './grants/candidates.js';

/**
 * The long-lived parts of one server instance, built once in createApp and handed to
 * resolvers through the context. Nothing here holds per-request state.
 */
export interface Services {
  config: Config;
  logger: Logger;
  orm: MikroORM;
  /** Hand-written statements straight to `pg` on the ORM's pool, outside any transaction (see db/sql.ts). */
  sql: SqlExecutor;
  hasher: TokenHasher;
  /** Encrypts the secrets kept in the database: receipt signing keys, webhook secrets (DESIGN §11). */
  secrets: SecretBox;
  governance: GovernanceCache;
  receipts: ReceiptService;
  events: EventBus;
  /** Approvers' queue events with the reads their subscribers share (events/queue-stream.ts). */
  queueStream: QueueStream;
  /** Recent behaviour signals per agent and type (see BehaviourCache). */
  behaviour: BehaviourCache;
  /** Shares one transaction among submissions that arrive together, written as plain records (see GroupCommitter). */
  writer: GroupCommitter<CommitFacts>;
  /** Agents recently authenticated by key (see AgentKeyCache). */
  agentKeys: AgentKeyCache;
  /** How a level's assignees are stored: one row each, or as group assignments of approver sets (escalation/assignments.ts). */
  grouping: GroupingOptions;
  /** Each agent's grants as a submission matches them, checked at its commit (grants/candidates.ts). */
  grants: GrantCandidates;
  /** The approver directory, kept per version (escalation/directory.ts). */
  directory: DirectoryCache;
  /** True when running on the in-process PGlite database (one instance by nature). */
  embedded: boolean;
}
