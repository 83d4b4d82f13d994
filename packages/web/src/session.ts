/**
 * The browser side of DESIGN §10 sign-in: a token is exchanged once for an HttpOnly
 * session cookie (`cs_session`) and never kept by the app, so scripts cannot read it.
 */
export interface SessionPrincipal {
  kind: 'APPROVER' | 'ADMIN' | 'AGENT';
  id: string | null;
  name: string;
}

export class SignInError extends Error {}

/** Thrown when the server cannot be reached at all (or answers 5xx). */
export class ServerUnreachableError extends Error {}

async function send(method: string, body?: unknown): Promise<Response> {
  try {
    return await fetch('/auth/session', {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ServerUnreachableError('Countersign cannot be reached.', { cause: error });
  }
}

/** The signed-in principal, or null when there is no live session. */
export async function currentSession(): Promise<SessionPrincipal | null> {
  const response = await send('GET');
  if (response.status === 401) return null;
  if (!response.ok) throw new ServerUnreachableError(`Countersign answered ${response.status}.`);
  return ((await response.json()) as { principal: SessionPrincipal }).principal;
}

export async function signIn(token: string): Promise<SessionPrincipal> {
  const response = await send('POST', { token });
  if (response.status >= 500) throw new ServerUnreachableError(`Countersign answered ${response.status}.`);
  const body = (await response.json().catch(() => null)) as { principal?: SessionPrincipal; error?: { message?: string } } | null;
  if (!response.ok || !body?.principal) {
    if (response.status === 403) throw new SignInError(body?.error?.message ?? 'Agent keys cannot sign in here: use an approver or admin token.');
    throw new SignInError(body?.error?.message ?? 'That token was not accepted.');
  }
  return body.principal;
}

/**
 * Ends the session. After a single sign-on, the server answers where to end the
 * provider's session too (RP-initiated logout): the browser goes there, and the provider
 * brings it back to the sign-in page. Returns whether the page is leaving for it.
 */
export async function signOut(): Promise<boolean> {
  const response = await send('DELETE');
  if (response.status !== 200) return false;
  const body = (await response.json().catch(() => null)) as { logoutUrl?: unknown } | null;
  if (typeof body?.logoutUrl !== 'string' || !/^https?:\/\//.test(body.logoutUrl)) return false;
  window.location.assign(body.logoutUrl);
  return true;
}

/** Whether the server offers single sign-on ("Sign in with SSO"); false when it cannot tell. */
export async function ssoOffered(): Promise<boolean> {
  try {
    const response = await fetch('/auth/config', { credentials: 'same-origin' });
    if (!response.ok) return false;
    return ((await response.json()) as { sso?: unknown }).sso === true;
  } catch {
    return false;
  }
}

/** Where "Sign in with SSO" goes: the server, which comes back to this page once signed in. */
export function ssoStartHref(location: Pick<Location, 'pathname' | 'search'> = window.location): string {
  const params = new URLSearchParams(location.search);
  params.delete('sso_error');
  const search = params.toString();
  return `/auth/oidc/start?next=${encodeURIComponent(location.pathname + (search ? `?${search}` : ''))}`;
}

/** What the sign-in page says when single sign-on came back without a session (the server's `?sso_error=`). */
const SSO_REFUSALS: Record<string, string> = {
  not_authorized: 'Single sign-on could not sign you in: your email is not an approver\'s or admin\'s here. Ask an admin to add it to your approver profile, or sign in with your token.',
  email_unverified: 'Single sign-on could not sign you in: your identity provider has not verified your email address.',
  ambiguous: 'Single sign-on could not sign you in: more than one approver has your email address. Ask an admin to fix it, or sign in with your token.',
  cancelled: 'Single sign-on was cancelled.',
  failed: 'Single sign-on did not complete (it may have expired, or been started in another window). Try again.',
  unavailable: 'The single sign-on provider cannot be reached right now. Try again in a moment, or sign in with your token.',
};

/**
 * Reads the reason single sign-on came back without a session, once, and takes it out of
 * the address (a reload or a shared link does not show it again). Null when there is none.
 */
export function takeSsoRefusal(): string | null {
  const url = new URL(window.location.href);
  const code = url.searchParams.get('sso_error');
  if (code === null) return null;
  url.searchParams.delete('sso_error');
  window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
  return SSO_REFUSALS[code] ?? SSO_REFUSALS.failed!;
}
