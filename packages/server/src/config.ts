import path from 'node:path';
import { loadSlackConfig, type SlackConfig } from './notifications/slack/slack.config.js';

/** Log levels pino understands; `silent` turns logging off (tests). */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The server's configuration, validated (DESIGN §6). */
export interface Config {
  /** PostgreSQL URL; absent → embedded PGlite under {@link Config.dataDir}. */
  databaseUrl: string | null;
  /** Where the embedded database, the generated bootstrap token and other local state live. */
  dataDir: string;
  host: string;
  port: number;
  /** Accepted as an admin token when set (to create the first real admin tokens). */
  bootstrapToken: string | null;
  logLevel: LogLevel;
  /** Issuer claim of receipts; defaults to the server's own URL. */
  issuer: string | null;
  /** How long a receipt stays valid, in seconds. */
  receiptTtlSeconds: number;
  /** How often each instance looks for due timers, in milliseconds. */
  timerPollMs: number;
  /** Pool size for PostgreSQL (ignored in embedded mode, which has one session). */
  databasePoolSize: number;
  /** Create DATABASE_URL's database when it does not exist; otherwise a missing one (a typo) stops the start. */
  createDatabase: boolean;
  /** How long the database may take before a request gives up with UNAVAILABLE (db/faults.ts). */
  databaseTimeouts: DatabaseTimeouts;
  /** COUNTERSIGN_SECRET_KEY decoded (32 bytes), or null: a key file in {@link Config.dataDir} (secrets/). */
  secretKey: Buffer | null;
  /** How long an agent authenticated by key is remembered, in milliseconds (0: not at all); see AgentKeyCache. */
  agentKeyCacheMs: number;
  /** Fraction of a level's timeout after which assignees are warned (ABOUT_TO_EXPIRE); null: never. */
  aboutToExpireFraction: number | null;
  /**
   * From how many people reached the same way (the same role, nobody delegated) a level's
   * assignment is stored as one group assignment of an approver set instead of one row per
   * person (escalation/assignment.entity.ts). Who is assigned is the same either way.
   */
  groupAssignmentFrom: number;
  /** Outbound webhook delivery (notifications/). */
  webhooks: WebhookConfig;
  /** Query, input and rate limits (graphql/limits.ts, limits/rate-limit.ts; DESIGN §11). */
  limits: LimitsConfig;
  /** Redis shared by every instance (rate limits are then cluster-wide); null: per instance. */
  redisUrl: string | null;
  /** Limits and re-checks of GraphQL WebSocket connections (graphql/ws.ts). */
  websockets: WebSocketConfig;
  /**
   * The address people open, without a trailing slash (e.g. https://countersign.example.com):
   * notifications link to `<publicUrl>/actions/<id>`, and cookie-authenticated requests must
   * come from its origin. Null: the server's own URL.
   */
  publicUrl: string | null;
  /** Web app sign-in sessions (auth/sessions.ts). */
  sessions: SessionConfig;
  /** The built web app served at `/`; null: packages/web/dist beside the server package. */
  webDir: string | null;
  /** Single sign-on with an OpenID provider (auth/oidc-client.ts, DESIGN §14); null: not offered. */
  oidc: OidcConfig | null;
  /** Slack interactive approvals (notifications/slack/); null: off. */
  slack: SlackConfig | null;
  /** Email to approvers (notifications/email/); null: no mail is sent (COUNTERSIGN_SMTP_URL unset). */
  email: EmailConfig | null;
}

/** An OpenID Connect provider people sign in with; the redirect URI is `<publicUrl>/auth/oidc/callback`. */
export interface OidcConfig {
  /** The provider's issuer URL (its metadata is at `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Verified emails (lower case) that sign in as admins rather than as the approver with that email. */
  admins: string[];
}

/** Mail to approvers (DESIGN §14). Retries follow {@link WebhookConfig} (the same outbox). */
export interface EmailConfig {
  /** smtp:// or smtps:// URL, credentials included (COUNTERSIGN_SMTP_URL): never logged. */
  smtpUrl: string;
  /** The From header, e.g. `Countersign <countersign@example.com>` (COUNTERSIGN_MAIL_FROM). */
  from: string;
  /** The hour (UTC, 0–23) at which the daily review digest goes out unless an approver chose another (COUNTERSIGN_DIGEST_HOUR). */
  digestHourUtc: number;
  /** How often each instance looks for digests due, in milliseconds (COUNTERSIGN_DIGEST_POLL_MS). */
  digestPollMs: number;
  /**
   * The base of each mail's envelope sender (COUNTERSIGN_MAIL_BOUNCE_ADDRESS): a mail's
   * bounces come back to `local+<delivery id>@domain` (VERP); null: to the From address.
   */
  bounceAddress: string | null;
  /** The mailbox bounces come back to, read for bounces (COUNTERSIGN_BOUNCE_IMAP_URL); null: not read. */
  bounceMailbox: BounceMailboxConfig | null;
}

/** An IMAP mailbox that receives bounces (notifications/email/bounces/poller.ts). */
export interface BounceMailboxConfig {
  host: string;
  port: number;
  /** imaps: TLS from the start; imap: STARTTLS when the server offers it. */
  secure: boolean;
  user: string;
  /** Never logged. */
  password: string;
  /** The folder, INBOX unless the URL's path names another. */
  mailbox: string;
  /** How often the mailbox is looked at (COUNTERSIGN_BOUNCE_POLL_MS), by one instance at a time. */
  pollMs: number;
}

/** The bounds on what one request may ask (README "Security"). */
export interface LimitsConfig {
  /** Lexical tokens in a document (COUNTERSIGN_MAX_TOKENS). */
  maxTokens: number;
  /** Nesting of selection sets (COUNTERSIGN_MAX_DEPTH). */
  maxDepth: number;
  /** Aliased fields in an operation (COUNTERSIGN_MAX_ALIASES). */
  maxAliases: number;
  /** Estimated fields resolved, lists counted `first` times (COUNTERSIGN_MAX_COST). */
  maxCost: number;
  /** Selections of one response name that validation compares pairwise (COUNTERSIGN_MAX_FIELD_REPEATS; graphql/limits.ts). */
  maxFieldRepeats: number;
  /** Nesting of JSON input and of literals in a document (COUNTERSIGN_MAX_INPUT_DEPTH). */
  maxInputDepth: number;
  /** Requests per second per principal, and the burst on top (COUNTERSIGN_RATE_LIMIT, COUNTERSIGN_RATE_LIMIT_BURST). */
  rate: { perSecond: number; burst: number };
}

/** What one WebSocket connection, and one principal's connections, may hold (DESIGN §11). */
export interface WebSocketConfig {
  /** Operations (subscriptions and in-flight queries) one connection may run at once; the next is refused. */
  maxSubscriptions: number;
  /** Open connections one principal may hold at once on one instance; the next closes with 4429. */
  maxConnectionsPerPrincipal: number;
  /** How often every open connection's credential is checked again in one batched sweep (besides events and each operation). */
  recheckMs: number;
}

/** Bounds on waiting for the database, so that one that is down or hangs is an UNAVAILABLE, not a hang. */
export interface DatabaseTimeouts {
  /** One statement, enforced by PostgreSQL (`statement_timeout`) and, for a connection that stops answering, by the client. */
  statementMs: number;
  /** Waiting for a pooled connection, including opening a new one. */
  acquireMs: number;
  /** The `/readyz` probe as a whole. */
  readinessMs: number;
}

/** How long a web session lives (DESIGN §10 sign-in). */
export interface SessionConfig {
  /** Unused for this long, in seconds, a session ends. */
  idleSeconds: number;
  /** However much it is used, a session ends this long, in seconds, after sign-in. */
  maxAgeSeconds: number;
  /** Open sessions per person; signing in once more ends the least recently used. */
  perPrincipal: number;
}

/** How notifications are delivered; the defaults suit production, tests shorten the backoff. */
export interface WebhookConfig {
  /** Abort an outbound request after this many milliseconds. */
  timeoutMs: number;
  /** Attempts per delivery before it is marked FAILED. */
  maxAttempts: number;
  /** Delay before the first retry; it doubles with each further attempt (with jitter). */
  backoffMs: number;
  /** Upper bound of the delay between two attempts. */
  backoffMaxMs: number;
  /** How often each instance looks for due deliveries, in milliseconds. */
  pollMs: number;
  /** Requests in flight at once per instance. */
  concurrency: number;
  /** Allows endpoints on loopback, private, link-local, unique-local and multicast addresses (development only). */
  allowPrivate: boolean;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

function positiveInt(env: Record<string, string | undefined>, name: string, fallback: number, errors: string[], min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
    errors.push(`${name}=${JSON.stringify(raw)} is not valid: expected a whole number from ${min} to ${max}.`);
    return fallback;
  }
  return Number(raw);
}

function flag(env: Record<string, string | undefined>, name: string, fallback: boolean, errors: string[]): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  errors.push(`${name}=${JSON.stringify(env[name])} is not valid: expected true or false.`);
  return fallback;
}

/**
 * Reads and validates the configuration from an environment. Every bad value is listed
 * (not just the first), each naming its variable, so one start tells the operator all.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): ConfigResult {
  const errors: string[] = [];

  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    errors.push('DATABASE_URL must be a postgres:// or postgresql:// URL.');
  }

  const port = positiveInt(env, 'PORT', 4000, errors, 0, 65535);
  const host = env.HOST?.trim() || '127.0.0.1';

  const logLevel = (env.LOG_LEVEL?.trim().toLowerCase() || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    errors.push(`LOG_LEVEL=${JSON.stringify(env.LOG_LEVEL)} is not valid: expected one of ${LOG_LEVELS.join(', ')}.`);
  }

  const bootstrapToken = env.COUNTERSIGN_BOOTSTRAP_TOKEN?.trim() || null;
  if (bootstrapToken !== null && bootstrapToken.length < 24) {
    errors.push('COUNTERSIGN_BOOTSTRAP_TOKEN must be at least 24 characters (use a random value, e.g. `openssl rand -hex 32`).');
  }

  const issuer = env.COUNTERSIGN_ISSUER?.trim() || null;
  const receiptTtlSeconds = positiveInt(env, 'COUNTERSIGN_RECEIPT_TTL', 24 * 3600, errors);
  const timerPollMs = positiveInt(env, 'COUNTERSIGN_TIMER_POLL_MS', 250, errors, 10, 60_000);
  const databasePoolSize = positiveInt(env, 'DATABASE_POOL_SIZE', 10, errors, 1, 500);
  const createDatabaseText = env.COUNTERSIGN_CREATE_DATABASE?.trim().toLowerCase() || 'false';
  const createDatabase = createDatabaseText === 'true';
  if (createDatabaseText !== 'true' && createDatabaseText !== 'false') {
    errors.push(`COUNTERSIGN_CREATE_DATABASE=${JSON.stringify(env.COUNTERSIGN_CREATE_DATABASE)} is not valid: expected true or false.`);
  }
  const databaseTimeouts: DatabaseTimeouts = {
    statementMs: positiveInt(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 5000, errors, 100, 600_000),
    acquireMs: positiveInt(env, 'DATABASE_ACQUIRE_TIMEOUT_MS', 3000, errors, 100, 600_000),
    readinessMs: positiveInt(env, 'COUNTERSIGN_READINESS_TIMEOUT_MS', 2000, errors, 100, 60_000),
  };
  let secretKey: Buffer | null = null;
  const rawSecretKey = env.COUNTERSIGN_SECRET_KEY?.trim();
  if (rawSecretKey) {
    const decoded = Buffer.from(rawSecretKey, 'base64');
    if (decoded.length !== 32 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(rawSecretKey)) {
      errors.push('COUNTERSIGN_SECRET_KEY must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`).');
    } else secretKey = decoded;
  }
  const agentKeyCacheMs = positiveInt(env, 'COUNTERSIGN_AGENT_KEY_CACHE_MS', 2000, errors, 0, 3_600_000);
  const groupAssignmentFrom = positiveInt(env, 'COUNTERSIGN_GROUP_ASSIGNMENT_FROM', 16, errors, 1, 1_000_000);

  let aboutToExpireFraction: number | null = 0.8;
  const fraction = env.COUNTERSIGN_ABOUT_TO_EXPIRE_FRACTION?.trim();
  if (fraction === 'off') aboutToExpireFraction = null;
  else if (fraction) {
    const value = Number(fraction);
    if (!(value > 0 && value < 1)) errors.push(`COUNTERSIGN_ABOUT_TO_EXPIRE_FRACTION=${JSON.stringify(fraction)} is not valid: expected a number between 0 and 1, or "off".`);
    else aboutToExpireFraction = value;
  }

  const webhooks: WebhookConfig = {
    timeoutMs: positiveInt(env, 'COUNTERSIGN_WEBHOOK_TIMEOUT_MS', 10_000, errors, 100, 300_000),
    maxAttempts: positiveInt(env, 'COUNTERSIGN_WEBHOOK_MAX_ATTEMPTS', 10, errors, 1, 100),
    backoffMs: positiveInt(env, 'COUNTERSIGN_WEBHOOK_BACKOFF_MS', 10_000, errors, 1, 86_400_000),
    backoffMaxMs: positiveInt(env, 'COUNTERSIGN_WEBHOOK_BACKOFF_MAX_MS', 3_600_000, errors, 1, 86_400_000),
    pollMs: positiveInt(env, 'COUNTERSIGN_WEBHOOK_POLL_MS', 500, errors, 10, 60_000),
    concurrency: positiveInt(env, 'COUNTERSIGN_WEBHOOK_CONCURRENCY', 8, errors, 1, 256),
    allowPrivate: flag(env, 'COUNTERSIGN_WEBHOOK_ALLOW_PRIVATE', false, errors),
  };
  if (webhooks.backoffMaxMs < webhooks.backoffMs) {
    errors.push(`COUNTERSIGN_WEBHOOK_BACKOFF_MAX_MS (${webhooks.backoffMaxMs}) must not be less than COUNTERSIGN_WEBHOOK_BACKOFF_MS (${webhooks.backoffMs}).`);
  }

  const limits: LimitsConfig = {
    maxTokens: positiveInt(env, 'COUNTERSIGN_MAX_TOKENS', 5000, errors, 10, 1_000_000),
    maxDepth: positiveInt(env, 'COUNTERSIGN_MAX_DEPTH', 12, errors, 2, 1000),
    maxAliases: positiveInt(env, 'COUNTERSIGN_MAX_ALIASES', 30, errors, 0, 100_000),
    maxCost: positiveInt(env, 'COUNTERSIGN_MAX_COST', 25_000, errors, 1, 1_000_000_000),
    maxFieldRepeats: positiveInt(env, 'COUNTERSIGN_MAX_FIELD_REPEATS', 4, errors, 1, 100_000),
    maxInputDepth: positiveInt(env, 'COUNTERSIGN_MAX_INPUT_DEPTH', 64, errors, 2, 1000),
    rate: {
      perSecond: positiveInt(env, 'COUNTERSIGN_RATE_LIMIT', 50, errors, 1, 1_000_000_000),
      burst: positiveInt(env, 'COUNTERSIGN_RATE_LIMIT_BURST', 200, errors, 1, 1_000_000_000),
    },
  };
  const redisUrl = env.COUNTERSIGN_REDIS_URL?.trim() || null;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) errors.push('COUNTERSIGN_REDIS_URL must be a redis:// or rediss:// URL.');
  const websockets: WebSocketConfig = {
    maxSubscriptions: positiveInt(env, 'COUNTERSIGN_WS_MAX_SUBSCRIPTIONS', 100, errors, 1, 100_000),
    maxConnectionsPerPrincipal: positiveInt(env, 'COUNTERSIGN_WS_MAX_CONNECTIONS_PER_PRINCIPAL', 200, errors, 1, 1_000_000),
    recheckMs: positiveInt(env, 'COUNTERSIGN_WS_RECHECK_MS', 60_000, errors, 1000, 86_400_000),
  };

  const dataDir = path.resolve(cwd, env.COUNTERSIGN_DATA_DIR?.trim() || '.countersign');

  let publicUrl: string | null = null;
  const rawPublicUrl = env.COUNTERSIGN_PUBLIC_URL?.trim();
  if (rawPublicUrl) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(rawPublicUrl);
    } catch {
      parsed = null;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.username || parsed.password || parsed.search || parsed.hash) {
      errors.push(`COUNTERSIGN_PUBLIC_URL=${JSON.stringify(rawPublicUrl)} is not valid: expected an http(s) URL such as https://countersign.example.com (no query, fragment or credentials).`);
    } else {
      publicUrl = `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
    }
  }

  const sessions: SessionConfig = {
    idleSeconds: positiveInt(env, 'COUNTERSIGN_SESSION_IDLE_TIMEOUT', 12 * 3600, errors, 1, 366 * 86_400),
    maxAgeSeconds: positiveInt(env, 'COUNTERSIGN_SESSION_MAX_AGE', 7 * 86_400, errors, 1, 366 * 86_400),
    perPrincipal: positiveInt(env, 'COUNTERSIGN_SESSIONS_PER_PRINCIPAL', 10, errors, 1, 1000),
  };
  const webDir = env.COUNTERSIGN_WEB_DIR?.trim() ? path.resolve(cwd, env.COUNTERSIGN_WEB_DIR.trim()) : null;
  const oidc = oidcConfig(env, errors);
  const slack = loadSlackConfig(env, errors);
  const email = emailConfig(env, errors);

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: { databaseUrl, dataDir, host, port, bootstrapToken, logLevel, issuer, receiptTtlSeconds, timerPollMs, databasePoolSize, createDatabase, databaseTimeouts, secretKey, agentKeyCacheMs, aboutToExpireFraction, groupAssignmentFrom, webhooks, limits, redisUrl, websockets, publicUrl, sessions, webDir, oidc, slack, email },
  };
}

const OIDC_VARIABLES = ['COUNTERSIGN_OIDC_ISSUER', 'COUNTERSIGN_OIDC_CLIENT_ID', 'COUNTERSIGN_OIDC_CLIENT_SECRET'] as const;

/**
 * Single sign-on: all three of issuer, client id and secret, or none. The redirect URI is
 * built from COUNTERSIGN_PUBLIC_URL, so it is required with them. The issuer must be https,
 * except on this machine (a provider for development or tests).
 */
function oidcConfig(env: Record<string, string | undefined>, errors: string[]): OidcConfig | null {
  const values = OIDC_VARIABLES.map((name) => env[name]?.trim() || null);
  const rawAdmins = env.COUNTERSIGN_OIDC_ADMINS?.trim() || '';
  if (values.every((v) => v === null)) {
    if (rawAdmins) errors.push('COUNTERSIGN_OIDC_ADMINS is set but single sign-on is not: set COUNTERSIGN_OIDC_ISSUER, COUNTERSIGN_OIDC_CLIENT_ID and COUNTERSIGN_OIDC_CLIENT_SECRET too.');
    return null;
  }
  const missing = OIDC_VARIABLES.filter((_, i) => values[i] === null);
  if (missing.length > 0) {
    errors.push(`Single sign-on needs ${OIDC_VARIABLES.join(', ')} together: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing.`);
    return null;
  }
  const [issuer, clientId, clientSecret] = values as [string, string, string];
  let parsed: URL | null = null;
  try {
    parsed = new URL(issuer);
  } catch {
    parsed = null;
  }
  const loopback = parsed !== null && ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
  if (!parsed || !(parsed.protocol === 'https:' || (parsed.protocol === 'http:' && loopback)) || parsed.username || parsed.password || parsed.search || parsed.hash) {
    errors.push(`COUNTERSIGN_OIDC_ISSUER=${JSON.stringify(issuer)} is not valid: expected the provider's https issuer URL (http only for a provider on localhost), with no query, fragment or credentials.`);
  }
  if (!env.COUNTERSIGN_PUBLIC_URL?.trim()) {
    errors.push('Single sign-on needs COUNTERSIGN_PUBLIC_URL: the redirect URI registered with the provider is COUNTERSIGN_PUBLIC_URL/auth/oidc/callback.');
  }
  const admins: string[] = [];
  for (const entry of rawAdmins.split(',')) {
    const email = entry.trim().toLowerCase();
    if (email === '') continue;
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) errors.push(`COUNTERSIGN_OIDC_ADMINS: ${JSON.stringify(entry.trim())} is not an email address (expected a comma-separated list of emails).`);
    else if (!admins.includes(email)) admins.push(email);
  }
  // Kept as given: the provider's metadata must name exactly this issuer.
  return { issuer, clientId, clientSecret, admins };
}

/** COUNTERSIGN_SMTP_URL and what goes with it; null when unset (no mail). */
function emailConfig(env: Record<string, string | undefined>, errors: string[]): EmailConfig | null {
  const digestHourUtc = positiveInt(env, 'COUNTERSIGN_DIGEST_HOUR', 8, errors, 0, 23);
  const digestPollMs = positiveInt(env, 'COUNTERSIGN_DIGEST_POLL_MS', 60_000, errors, 10, 3_600_000);
  const smtpUrl = env.COUNTERSIGN_SMTP_URL?.trim();
  if (!smtpUrl) {
    for (const name of ['COUNTERSIGN_MAIL_BOUNCE_ADDRESS', 'COUNTERSIGN_BOUNCE_IMAP_URL']) {
      if (env[name]?.trim()) errors.push(`${name} is set but mail is off: it needs COUNTERSIGN_SMTP_URL (and COUNTERSIGN_MAIL_FROM).`);
    }
    return null;
  }
  let parsed: URL | null = null;
  try {
    parsed = new URL(smtpUrl);
  } catch {
    parsed = null;
  }
  // The value is not echoed: it may hold the SMTP password.
  if (!parsed || !/^smtps?:$/.test(parsed.protocol) || !parsed.hostname) errors.push('COUNTERSIGN_SMTP_URL is not valid: expected smtp://[user:password@]host[:port] or smtps://…');
  const from = env.COUNTERSIGN_MAIL_FROM?.trim() ?? '';
  // An address, alone or as `Name <address>`.
  if (!from) errors.push('COUNTERSIGN_MAIL_FROM is required with COUNTERSIGN_SMTP_URL (e.g. "Countersign <countersign@example.com>").');
  else if (!/^(?:[^<>]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/.test(from)) errors.push(`COUNTERSIGN_MAIL_FROM=${JSON.stringify(from)} is not valid: expected an address or "Name <address>".`);
  const bounceAddress = env.COUNTERSIGN_MAIL_BOUNCE_ADDRESS?.trim() || null;
  // A plain address whose local part has no "+": the delivery id is added after one.
  if (bounceAddress && !/^[^<>\s@+"]+@[^<>\s@]+\.[^<>\s@]+$/.test(bounceAddress)) {
    errors.push(`COUNTERSIGN_MAIL_BOUNCE_ADDRESS=${JSON.stringify(bounceAddress)} is not valid: expected a plain address without "+", e.g. bounces@countersign.example.com (mails go out from bounces+<delivery id>@…).`);
  }
  return { smtpUrl, from, digestHourUtc, digestPollMs, bounceAddress, bounceMailbox: bounceMailboxConfig(env, errors) };
}

/** COUNTERSIGN_BOUNCE_IMAP_URL: imap[s]://user:password@host[:port][/folder]. */
function bounceMailboxConfig(env: Record<string, string | undefined>, errors: string[]): BounceMailboxConfig | null {
  const pollMs = positiveInt(env, 'COUNTERSIGN_BOUNCE_POLL_MS', 60_000, errors, 50, 3_600_000);
  const raw = env.COUNTERSIGN_BOUNCE_IMAP_URL?.trim();
  if (!raw) return null;
  let url: URL | null = null;
  try {
    url = new URL(raw);
  } catch {
    url = null;
  }
  // The value is not echoed: it holds the mailbox's password.
  if (!url || !/^imaps?:$/.test(url.protocol) || !url.hostname || !url.username) {
    errors.push('COUNTERSIGN_BOUNCE_IMAP_URL is not valid: expected imaps://user:password@host[:port][/folder] (or imap:// for STARTTLS).');
    return null;
  }
  const secure = url.protocol === 'imaps:';
  const folder = decodeURIComponent(url.pathname.replace(/^\/+/, ''));
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 993 : 143,
    secure,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    mailbox: folder || 'INBOX',
    pollMs,
  };
}
