import type { EntityManager } from '@mikro-orm/postgresql';
import { compileGovernance, diffGovernance, formatGovernanceIssue, lintGovernance, parseGovernance, type CompiledGovernance, type GovernanceDocument } from '@countersign/governance';
import { AppError, ErrorCode } from '../errors.js';
import { appendAudit } from '../audit/audit.service.js';
import { actorRef, type Principal } from '../auth/principal.js';
import { Agent } from '../principals/agent.entity.js';
import { Approver } from '../principals/approver.entity.js';
import { GovernanceVersion } from './governance-version.entity.js';
import type { ApplyGovernancePayload } from './governance.types.js';

export interface ActiveGovernance {
  version: number;
  compiled: CompiledGovernance;
}

/**
 * Holds the compiled document in force for this instance. Every submission asks the
 * database for the current version number (one indexed read) and recompiles only when
 * another instance applied a newer one, so all instances decide by the same version.
 */
export class GovernanceCache {
  private cached: ActiveGovernance | null = null;
  private readonly byVersion = new Map<number, CompiledGovernance>();

  async current(em: EntityManager): Promise<ActiveGovernance | null> {
    const [row] = await em.execute<{ version: number }[]>('select max("version") as "version" from "governance_version"');
    return this.at(em, row?.version ?? null);
  }

  /** The compiled document of the version the caller found in force (null: none applied). */
  async at(em: EntityManager, version: number | null): Promise<ActiveGovernance | null> {
    if (version === null) return null;
    if (this.cached?.version !== version) this.cached = { version, compiled: await this.compiled(em, version) };
    return this.cached;
  }

  /** The compiled document of a given version (requests keep the version that routed them). */
  async compiled(em: EntityManager, version: number): Promise<CompiledGovernance> {
    let compiled = this.byVersion.get(version);
    if (!compiled) {
      const stored = await em.findOneOrFail(GovernanceVersion, { version });
      compiled = compileGovernance(stored.document as GovernanceDocument);
      this.byVersion.set(version, compiled);
    }
    return compiled;
  }
}

/** The warnings a document earns against the approvers who exist now and the agents they own. */
export async function lintAgainstDirectory(em: EntityManager, document: GovernanceDocument): Promise<string[]> {
  const approvers = await em.find(Approver, {}, { fields: ['id', 'name', 'roles', 'active'] });
  const owned = await em.find(Agent, { owner: { $ne: null } }, { fields: ['name', 'owner'] });
  return lintGovernance(document, {
    approvers: approvers.map((a) => ({ id: a.id, name: a.name, roles: a.roles, active: a.active })),
    agents: owned.map((a) => ({ name: a.name, ownerId: a.owner?.id ?? null })),
  });
}

/** Validates a document whole or throws BAD_USER_INPUT listing every problem with where it is. */
export function parseOrThrow(source: string): { document: GovernanceDocument; compiled: CompiledGovernance } {
  if (source.length > 1_000_000) throw AppError.badInput('The governance document is larger than 1 MB.', 'document');
  const parsed = parseGovernance(source);
  if (!parsed.ok) {
    const lines = parsed.errors.map(formatGovernanceIssue);
    throw new AppError(
      ErrorCode.BAD_USER_INPUT,
      `The governance document is not valid (${lines.length} problem${lines.length === 1 ? '' : 's'}):\n${lines.map((l) => `- ${l}`).join('\n')}`,
      { field: 'document', issues: parsed.errors },
    );
  }
  return parsed;
}

/**
 * Validates, lints and diffs a document; unless `dryRun`, stores it as the next version
 * (with its audit event, in one transaction). A document that changes nothing is not
 * stored again: the answer says `applied: false` with no changes.
 */
export async function applyGovernance(em: EntityManager, by: Principal, source: string, dryRun: boolean): Promise<ApplyGovernancePayload> {
  const { document } = parseOrThrow(source);
  const warnings = await lintAgainstDirectory(em, document);

  const apply = async (tx: EntityManager): Promise<ApplyGovernancePayload> => {
    // Serialise appliers so versions are dense and each diff is against its true predecessor.
    if (!dryRun) await tx.execute('select pg_advisory_xact_lock(hashtext(\'countersign.governance\'))');
    const previous = await tx.findOne(GovernanceVersion, { version: { $gte: 0 } }, { orderBy: { version: 'desc' } });
    const changes = diffGovernance((previous?.document as GovernanceDocument | undefined) ?? null, document);
    const nextVersion = (previous?.version ?? 0) + 1;
    if (dryRun || (previous && changes.length === 0)) {
      return { version: previous && changes.length === 0 ? previous.version : nextVersion, changes, warnings, applied: false };
    }
    const stored = tx.create(GovernanceVersion, {
      version: nextVersion,
      source,
      document,
      changes,
      warnings,
      appliedBy: `${by.kind}:${by.id ?? by.name}`,
    });
    tx.persist(stored);
    await tx.flush();
    await appendAudit(tx, [{
      kind: 'GOVERNANCE_APPLIED', subjectType: 'GOVERNANCE', subjectId: String(nextVersion), ...actorRef(by),
      data: { version: nextVersion, changes, warnings },
    }]);
    return { version: nextVersion, changes, warnings, applied: true };
  };
  return dryRun ? apply(em) : em.transactional(apply);
}

export async function governanceHistory(em: EntityManager, limit = 100): Promise<GovernanceVersion[]> {
  return em.find(GovernanceVersion, {}, { orderBy: { version: 'desc' }, limit });
}
