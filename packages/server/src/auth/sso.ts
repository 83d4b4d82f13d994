import type { Services } from '../services.js';
import { rawTransaction } from '../db/sql.js';
import { appendAudit } from '../audit/audit.service.js';
import { PrincipalKind } from '../shared/enums.js';
import { SsoError, SsoRefusal, ssoAdminCredential, ssoAdminPrincipal, verifiedEmail, type IdentityClaims } from './oidc-rules.js';
import { openSession, type OpenedSession } from './sessions.js';

/** How a single sign-on is named in the audit log (SESSION_STARTED's and SESSION_REFUSED's `method`). */
export const SSO_METHOD = 'OIDC';

/**
 * Opens a session for the person a provider vouched for (DESIGN §14): their verified email
 * must be listed in COUNTERSIGN_OIDC_ADMINS (an admin session; the list wins) or be the
 * email of exactly one active approver (that approver's session, bound to their current
 * token hash: deactivation or rotation ends it like a token sign-in's).
 * @throws SsoError with the refusal to show.
 */
export async function signInWithSso(services: Services, claims: IdentityClaims & { sub: string; idToken?: string | null }): Promise<OpenedSession> {
  const verified = verifiedEmail(claims);
  if ('refusal' in verified) throw new SsoError(verified.refusal, 'The provider did not say the email is verified.', { email: verified.email });
  const { email } = verified;
  const detail = { email, subject: claims.sub };
  if (services.config.oidc?.admins.includes(email)) {
    return openSession(services, ssoAdminPrincipal(email), services.hasher.hash(ssoAdminCredential(email)), SSO_METHOD, detail, claims.idToken);
  }
  const approvers = await services.sql.execute<{ id: string; name: string; roles: string[]; token_hash: string }[]>(
    'select "id", "name", "roles", "token_hash" from "approver" where lower(btrim("email")) = ? and "active" limit 2',
    [email],
  );
  if (approvers.length === 0) throw new SsoError(SsoRefusal.NOT_AUTHORIZED, 'No active approver has this email, and it is not listed as an admin.', { email });
  if (approvers.length > 1) throw new SsoError(SsoRefusal.AMBIGUOUS, 'More than one active approver has this email.', { email });
  const [approver] = approvers as [(typeof approvers)[0]];
  return openSession(services, { kind: PrincipalKind.APPROVER, id: approver.id, name: approver.name, roles: approver.roles }, approver.token_hash, SSO_METHOD, detail, claims.idToken);
}

/** Records a single sign-on that opened no session, with why (and the email the provider sent, if any). */
export async function recordSsoRefusal(services: Services, refusal: SsoRefusal, detail: { email?: string | null; reason: string }): Promise<void> {
  await rawTransaction(services.orm, (sql) =>
    appendAudit(sql, [
      { kind: 'SESSION_REFUSED', subjectType: 'SESSION', subjectId: null, actorType: 'SYSTEM', actorId: null, data: { method: SSO_METHOD, refusal, email: detail.email ?? null, reason: detail.reason } },
    ]),
  );
}
