import { Resolver, Query, Mutation, Arg, Ctx, Authorized } from 'type-graphql';
import type { GovernanceChange } from '@countersign/governance';
import { PrincipalKind } from '../shared/enums.js';
import { requirePrincipal, type Context } from '../graphql/context.js';
import type { GovernanceVersion } from './governance-version.entity.js';
import { ApplyGovernancePayload, GovernanceType, GovernanceVersionType } from './governance.types.js';
import { applyGovernance, governanceHistory } from './governance.service.js';

function toVersionView(v: GovernanceVersion): GovernanceVersionType {
  return {
    version: v.version,
    document: v.source,
    normalized: v.document,
    changes: v.changes as GovernanceChange[],
    warnings: v.warnings,
    appliedBy: v.appliedBy,
    appliedAt: v.appliedAt,
  };
}

@Resolver()
export class GovernanceResolver {
  @Authorized(PrincipalKind.ADMIN)
  @Mutation(() => ApplyGovernancePayload, {
    description: 'Validates a governance document (YAML or JSON) whole, lints it and shows the diff; unless dryRun, stores it as the next version.',
  })
  async applyGovernance(
    @Ctx() ctx: Context,
    @Arg('document', () => String) document: string,
    @Arg('dryRun', () => Boolean, { nullable: true, defaultValue: false }) dryRun: boolean,
  ) {
    const applied = await applyGovernance(ctx.em, requirePrincipal(ctx), document, dryRun);
    // Agents' cached snapshots name the version in force: let the next submissions read the new one.
    if (applied.applied) ctx.services.agentKeys.clear();
    return applied;
  }

  @Authorized(PrincipalKind.ADMIN)
  @Query(() => GovernanceType, { description: 'The document in force and the versions before it (who applied what, when).' })
  async governance(@Ctx() ctx: Context): Promise<GovernanceType> {
    const history = (await governanceHistory(ctx.em)).map(toVersionView);
    const current = history[0] ?? null;
    return { version: current?.version ?? null, document: current?.document ?? null, current, history };
  }
}
