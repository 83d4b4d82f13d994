import { useEffect, useState, type FormEvent } from 'react';
import { ServerUnreachableError, signIn, SignInError, ssoOffered, ssoStartHref, type SessionPrincipal } from '../session.js';

/**
 * Sign-in with an approver's or admin's token, exchanged once for a session cookie, or by
 * single sign-on when the server offers it. The address stays as it was, so a deep link
 * opens once signed in (single sign-on comes back to it too).
 */
export function SignIn({ reason, ssoRefusal, onSignedIn, onUnreachable }: { reason?: string; ssoRefusal?: string | null; onSignedIn(p: SessionPrincipal): void; onUnreachable(): void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [sso, setSso] = useState(false);

  useEffect(() => {
    let live = true;
    void ssoOffered().then((offered) => live && setSso(offered));
    return () => {
      live = false;
    };
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!token.trim()) {
      setError('Paste your token to sign in.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const principal = await signIn(token.trim());
      setToken('');
      onSignedIn(principal);
    } catch (e) {
      if (e instanceof ServerUnreachableError) onUnreachable();
      setError(e instanceof SignInError ? e.message : 'Countersign cannot be reached right now. Try again in a moment.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="signin">
      <form className="card signin-card" onSubmit={submit} noValidate>
        <h1>Sign in to Countersign</h1>
        {reason ? (
          <p className="note" role="status">
            {reason}
          </p>
        ) : null}
        {ssoRefusal ? (
          <p className="note error" role="alert">
            {ssoRefusal}
          </p>
        ) : null}
        {sso || ssoRefusal ? (
          <>
            <a className="button primary wide sso" href={ssoStartHref()}>
              Sign in with SSO
            </a>
            <p className="muted or">or use a token</p>
          </>
        ) : null}
        <p className="muted">Use the approver or admin token you were given. It is exchanged for a session and not stored in this browser.</p>
        <label htmlFor="token">Token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="current-password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'token-error' : undefined}
          autoFocus
        />
        {error ? (
          <p id="token-error" className="field-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className={sso ? 'button wide' : 'button primary wide'} disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
