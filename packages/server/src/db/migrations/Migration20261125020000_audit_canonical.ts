import { Migration } from '@mikro-orm/migrations';
import { canonicalAuditEvent } from '../../audit/chain.js';

/**
 * Stores each audit event's canonical text — the exact text its hash covers — so that
 * verifying the chain needs no re-serialising (DESIGN §9: ≥ 200,000 events/s), and a
 * CHECK constraint that keeps the other columns equal to that text.
 *
 * Existing events are backfilled here, in batches, with the same `canonicalAuditEvent`
 * the verifier used until now: RFC 8785 cannot be written in SQL. The text is derived
 * from the columns as they are, so backfilling changes no verdict: an event edited before
 * this migration gets the text of its edited columns, which does not hash to its `hash`.
 * (The alternative, a nullable column that the verifier recomputes in Node whenever it is
 * empty, would keep the slow path forever for old databases.)
 */
export class Migration20261125020000_audit_canonical extends Migration {
  override async up(): Promise<void> {
    // Statements run here in order (not queued with addSql), in the migration's transaction.
    await this.execute(`alter table "audit_event" add column "canonical" text null;`);
    const batch = 5_000;
    for (let after = 0; ; ) {
      const rows = await this.execute(
        `select "seq", "at", "kind", "subject_type", "subject_id", "actor_type", "actor_id", "data" from "audit_event" where "seq" > ? order by "seq" limit ?`,
        [after, batch],
      );
      if (rows.length === 0) break;
      const texts = rows.map((r) => ({
        s: String(r.seq),
        c: canonicalAuditEvent({
          seq: Number(r.seq), at: new Date(r.at as string | Date), kind: r.kind as string, subjectType: r.subject_type as string, subjectId: r.subject_id as string | null,
          actorType: r.actor_type as string, actorId: r.actor_id as string | null, data: r.data,
        }),
      }));
      await this.execute(
        `update "audit_event" e set "canonical" = v."c" from json_to_recordset(?::json) as v("s" bigint, "c" text) where e."seq" = v."s"`,
        [JSON.stringify(texts)],
      );
      after = Number(rows[rows.length - 1]!.seq);
    }
    await this.execute(`alter table "audit_event" alter column "canonical" set not null;`);
    await this.execute(`alter table "audit_event" add constraint "audit_event_canonical_check" check (coalesce(
  starts_with("canonical", '{"actorId":' || coalesce(to_json("actor_id")::text, 'null') || ',"actorType":' || to_json("actor_type")::text
    || ',"at":"' || to_char("at" at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '","data":')
  and right("canonical", char_length(',"kind":' || to_json("kind")::text || ',"seq":' || "seq" || ',"subjectId":' || coalesce(to_json("subject_id")::text, 'null') || ',"subjectType":' || to_json("subject_type")::text || '}'))
    = ',"kind":' || to_json("kind")::text || ',"seq":' || "seq" || ',"subjectId":' || coalesce(to_json("subject_id")::text, 'null') || ',"subjectType":' || to_json("subject_type")::text || '}'
  and "at" = date_trunc('milliseconds', "at")
  and ("canonical"::jsonb -> 'data') = coalesce("data", 'null'::jsonb),
  false));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "audit_event" drop constraint "audit_event_canonical_check";`);
    this.addSql(`alter table "audit_event" drop column "canonical";`);
  }
}
