import { Resolver, Query, Arg, Ctx, Authorized, Int } from 'type-graphql';
import { PrincipalKind } from '../shared/enums.js';
import type { Context } from '../graphql/context.js';
import { decodeCursor, encodeCursor, pageSize, toConnection } from '../db/paging.js';
import { AuditEventConnection } from '../actions/action.types.js';
import { AuditFilter, ChainVerificationType } from './audit.types.js';
import { toAuditRecord, verifyAuditChain, type AuditRow } from './audit.service.js';

@Resolver()
export class AuditResolver {
  @Authorized(PrincipalKind.ADMIN)
  @Query(() => AuditEventConnection, { description: 'The audit log in chain order (oldest first), filtered.' })
  async auditLog(
    @Ctx() ctx: Context,
    @Arg('filter', () => AuditFilter, { nullable: true }) filter?: AuditFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const limit = pageSize(first);
    const cursor = decodeCursor(after, 1);
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter?.subjectId) (where.push('"subject_id" = ?'), params.push(filter.subjectId));
    if (filter?.kind?.length) (where.push(`"kind" in (${filter.kind.map(() => '?').join(', ')})`), params.push(...filter.kind));
    if (filter?.since) (where.push('"at" >= ?'), params.push(filter.since));
    if (filter?.until) (where.push('"at" < ?'), params.push(filter.until));
    const filterSql = where.length ? `where ${where.join(' and ')}` : '';
    const pageSql = [...where, ...(cursor ? ['"seq" > ?'] : [])];
    const [rows, [count]] = await Promise.all([
      ctx.em.execute<AuditRow[]>(
        `select "seq", "at", "kind", "subject_type", "subject_id", "actor_type", "actor_id", "data", "prev_hash", "hash" from "audit_event" ${pageSql.length ? `where ${pageSql.join(' and ')}` : ''} order by "seq" limit ?`,
        [...params, ...(cursor ? [cursor[0]] : []), limit + 1],
      ),
      ctx.em.execute<{ n: number }[]>(`select count(*)::int as "n" from "audit_event" ${filterSql}`, params),
    ]);
    return toConnection(rows.map(toAuditRecord), limit, count!.n, (e) => encodeCursor([e.seq]));
  }

  @Authorized(PrincipalKind.ADMIN)
  @Query(() => ChainVerificationType, { description: 'Walks the whole audit chain; any changed, deleted or reordered event breaks it.' })
  verifyAuditChain(@Ctx() ctx: Context) {
    return verifyAuditChain(ctx.em);
  }
}
