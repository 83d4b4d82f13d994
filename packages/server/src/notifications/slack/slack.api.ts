import { LogLevel, WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError, WebClient, type Logger as SlackLogger } from '@slack/web-api';
import type { Logger } from '../../logger.js';
import type { SlackConfig } from './slack.config.js';
import type { SlackText } from './slack.render.js';

/** Slack's answers that no retry will change: the message is not sent, and the delivery fails at once. */
const PERMANENT = new Set([
  'channel_not_found', 'user_not_found', 'users_not_found', 'cannot_dm_bot', 'user_disabled', 'account_inactive', 'is_archived',
  'message_not_found', 'cant_update_message', 'edit_window_closed', 'invalid_blocks', 'invalid_blocks_format', 'msg_too_long', 'no_text',
]);

/** A failed Slack call, in words fit for the delivery log (never the token or the request body). */
export interface SlackFailure {
  error: string;
  /** Slack's Retry-After, in milliseconds, when it rate-limited us. */
  retryAfterMs: number | null;
  permanent: boolean;
}

export function describeSlackFailure(error: unknown): SlackFailure {
  if (error instanceof WebAPIPlatformError) return { error: `Slack refused: ${error.data.error}`, retryAfterMs: null, permanent: PERMANENT.has(error.data.error) };
  if (error instanceof WebAPIRateLimitedError) return { error: `Slack rate-limited the call (retry after ${error.retryAfter} s)`, retryAfterMs: error.retryAfter * 1000, permanent: false };
  if (error instanceof WebAPIHTTPError) return { error: `Slack answered HTTP ${error.statusCode}`, retryAfterMs: null, permanent: false };
  if (error instanceof WebAPIRequestError) {
    const cause = error.original as { name?: string; cause?: { code?: string } };
    if (cause?.name === 'TimeoutError' || cause?.name === 'AbortError') return { error: 'Slack did not answer in time', retryAfterMs: null, permanent: false };
    return { error: `could not reach Slack${cause?.cause?.code ? `: ${cause.cause.code}` : ''}`, retryAfterMs: null, permanent: false };
  }
  return { error: `Slack call failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300), retryAfterMs: null, permanent: false };
}

/** The client's own warnings and errors go to our log; its debug lines (request bodies) nowhere. */
function slackLogger(logger: Logger): SlackLogger {
  const child = logger.child({ component: 'slack-web-api' });
  return {
    debug() {},
    info() {},
    warn: (...msg: unknown[]) => child.warn(msg.map(String).join(' ')),
    error: (...msg: unknown[]) => child.error(msg.map(String).join(' ')),
    setLevel() {},
    getLevel: () => LogLevel.WARN,
    setName() {},
  };
}

/**
 * The few Slack Web API methods Countersign calls, with Slack's maintained client pointed
 * at COUNTERSIGN_SLACK_API_URL. The client's own retries are off: a failed call is retried
 * by the outbox (at least once, with backoff), and a rate limit comes back as a failure
 * carrying Slack's Retry-After instead of holding a request open.
 */
export class SlackApi {
  private readonly client: WebClient;

  constructor(config: SlackConfig, timeoutMs: number, logger: Logger) {
    this.client = new WebClient(config.botToken, {
      slackApiUrl: config.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: timeoutMs,
      // A method name is never a URL here: every call goes to the configured API.
      allowAbsoluteUrls: false,
      logger: slackLogger(logger),
    });
  }

  /** A direct message to `slackUserId` (`channel` = the member id); answers where it landed. */
  async postDirectMessage(slackUserId: string, message: SlackText, metadata: Record<string, string>): Promise<{ channel: string; ts: string }> {
    const result = await this.client.chat.postMessage({
      channel: slackUserId,
      text: message.text,
      blocks: message.blocks as never,
      unfurl_links: false,
      unfurl_media: false,
      // The delivery id travels with the message, so that a receiver (or an admin) can tell a repeated post from a new one.
      metadata: { event_type: 'countersign_notification', event_payload: metadata },
    });
    if (typeof result.channel !== 'string' || typeof result.ts !== 'string') throw new Error('Slack answered chat.postMessage without a channel and ts');
    return { channel: result.channel, ts: result.ts };
  }

  /** Replaces a message posted earlier, in place. */
  async update(channel: string, ts: string, message: SlackText): Promise<void> {
    await this.client.chat.update({ channel, ts, text: message.text, blocks: message.blocks as never });
  }

  /** A message only `user` sees, in `channel` (where they clicked). */
  async ephemeral(channel: string, user: string, text: string): Promise<void> {
    await this.client.chat.postEphemeral({ channel, user, text });
  }
}
