import * as client from 'openid-client';
import type { OidcConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { LOGIN_TTL_SECONDS, SsoError, SsoRefusal, parseLoginState, type IdentityClaims, type LoginState } from './oidc-rules.js';

/** Where the sealed sign-in state may be opened (SecretBox context): nowhere else. */
const LOGIN_CONTEXT = 'oidc_login';
/** Seconds one request to the provider may take (discovery, token, userinfo). */
const PROVIDER_TIMEOUT_SECONDS = 10;

/**
 * The OpenID Connect relying party (DESIGN §14): authorization code with PKCE, state and
 * nonce, through `openid-client`. The provider is discovered at the first sign-in, not at
 * start-up, so the server starts (and serves tokens) while the provider is down; a failed
 * discovery is tried again at the next sign-in.
 */
export class OidcClient {
  private discovered: Promise<client.Configuration> | null = null;

  constructor(
    private readonly config: OidcConfig,
    /** `COUNTERSIGN_PUBLIC_URL/auth/oidc/callback`, registered with the provider. */
    readonly redirectUri: string,
    private readonly box: SecretBox,
    private readonly logger: Logger,
  ) {}

  /** The provider's configuration, discovered once; @throws SsoError(UNAVAILABLE) while it cannot be reached. */
  private async configuration(): Promise<client.Configuration> {
    this.discovered ??= client
      .discovery(new URL(this.config.issuer), this.config.clientId, undefined, client.ClientSecretBasic(this.config.clientSecret), {
        timeout: PROVIDER_TIMEOUT_SECONDS,
        // Plain http only for a provider on this machine (config.ts refuses it elsewhere).
        execute: new URL(this.config.issuer).protocol === 'http:' ? [client.allowInsecureRequests] : [],
      })
      .catch((error: unknown) => {
        this.discovered = null;
        this.logger.warn({ err: error, issuer: this.config.issuer }, 'single sign-on: the OpenID provider could not be discovered');
        throw new SsoError(SsoRefusal.UNAVAILABLE, 'The single sign-on provider cannot be reached right now.', { cause: error });
      });
    return this.discovered;
  }

  /**
   * Starts a sign-in: the provider's authorization URL to send the browser to, and the
   * sealed state (state, nonce, PKCE verifier, where to land) for the sign-in cookie.
   */
  async begin(next: string, now = Date.now()): Promise<{ url: URL; sealed: string }> {
    const configuration = await this.configuration();
    const login: LoginState = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      next,
      expiresAt: now + LOGIN_TTL_SECONDS * 1000,
    };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: 'openid email',
      response_type: 'code',
      state: login.state,
      nonce: login.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(login.verifier),
      code_challenge_method: 'S256',
    });
    return { url, sealed: this.box.seal(JSON.stringify(login), LOGIN_CONTEXT) };
  }

  /**
   * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): where to send the browser
   * after signing out of a session single sign-on opened, so that the provider's session
   * ends too and the next "Sign in with SSO" asks again — on a shared device, the difference
   * between signed out and not. The provider comes back to the web app's root (registered
   * as a post-logout redirect URI). Null when it offers no end-session endpoint or cannot be
   * reached: the Countersign session has ended either way.
   */
  async logoutUrl(idToken: string): Promise<string | null> {
    let configuration: client.Configuration;
    try {
      configuration = await this.configuration();
    } catch {
      return null;
    }
    if (!configuration.serverMetadata().end_session_endpoint) return null;
    return client.buildEndSessionUrl(configuration, { id_token_hint: idToken, post_logout_redirect_uri: this.postLogoutRedirectUri }).href;
  }

  /** Where the provider sends the browser after its sign-out: the web app's sign-in page. */
  get postLogoutRedirectUri(): string {
    return new URL('/', this.redirectUri).href;
  }

  /** The sign-in state of a cookie, or null (absent, altered, sealed with another key, expired). */
  openLogin(sealed: string | null, now = Date.now()): LoginState | null {
    if (!sealed) return null;
    try {
      return parseLoginState(this.box.open(sealed, LOGIN_CONTEXT), now);
    } catch {
      return null;
    }
  }

  /**
   * Finishes a sign-in at the callback: checks the state, exchanges the code with the PKCE
   * verifier, checks the ID token (signature, issuer, audience, nonce) and returns its
   * email claims, asking the userinfo endpoint when the ID token carries none.
   * @throws SsoError with the refusal to show.
   */
  async complete(query: URLSearchParams, login: LoginState): Promise<IdentityClaims & { sub: string; idToken: string | null }> {
    const configuration = await this.configuration();
    // The address the provider sent the browser to, as registered (not as this process saw it behind a proxy).
    const current = new URL(this.redirectUri);
    current.search = query.toString();
    try {
      const tokens = await client.authorizationCodeGrant(configuration, current, {
        pkceCodeVerifier: login.verifier,
        expectedState: login.state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new SsoError(SsoRefusal.FAILED, 'The provider sent no ID token.');
      // Kept with the session: signing out of Countersign then signs out at the provider too (logoutUrl).
      const idToken = tokens.id_token ?? null;
      if (typeof claims.email === 'string' && claims.email_verified !== undefined) return { sub: claims.sub, email: claims.email, email_verified: claims.email_verified, idToken };
      // Many providers put the email (or whether it is verified) in the userinfo answer only; it must be about the same subject.
      const info = await client.fetchUserInfo(configuration, tokens.access_token, claims.sub);
      return { sub: claims.sub, email: info.email, email_verified: info.email_verified, idToken };
    } catch (error) {
      if (error instanceof SsoError) throw error;
      if (error instanceof client.AuthorizationResponseError) {
        const refusal = error.error === 'access_denied' ? SsoRefusal.CANCELLED : SsoRefusal.FAILED;
        throw new SsoError(refusal, `The provider answered ${error.error}${error.error_description ? `: ${error.error_description}` : ''}.`, { cause: error });
      }
      if (unreachable(error)) throw new SsoError(SsoRefusal.UNAVAILABLE, 'The single sign-on provider could not be reached to finish the sign-in.', { cause: error });
      throw new SsoError(SsoRefusal.FAILED, `The sign-in could not be verified: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** A request to the provider that failed for the network, not for what it answered. */
function unreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return true;
  return error instanceof TypeError && /fetch failed/i.test(error.message);
}
