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

export async function signOut(): Promise<void> {
  await send('DELETE');
}
