import type { IncomingMessage, ServerResponse } from 'node:http';
import bodyParser from 'body-parser';
import type { Services } from '../../services.js';
import type { RateLimiter } from '../../limits/rate-limit.js';
import { rateLimitKey } from '../../limits/rate-limit.js';
import { AppError, ErrorCode } from '../../errors.js';
import { isUuid } from '../../shared/validate.js';
import { Verdict } from '../../shared/enums.js';
import { decide } from '../../decisions/decisions.service.js';
import { PAYLOAD_CHANGED } from '../../decisions/payload-guard.js';
import { actionUrl, escapeSlack } from '../render.js';
import type { SlackApi } from './slack.api.js';
import type { SlackConfig } from './slack.config.js';
import { verifySlackSignature } from './slack-signature.js';
import { SlackButton, readButtonValue, whyNotInSlack } from './slack.render.js';
import { refreshDecidedMessages } from './slack.worker.js';

/** An interaction payload is a few kilobytes (the message it came from included); anything far bigger is not Slack's. */
const MAX_BODY = '64kb';
const rawBody = bodyParser.raw({ type: () => true, limit: MAX_BODY });

export const NOT_LINKED = 'Your Slack account is not linked to a Countersign approver, so your click was not counted. Ask an admin to set your Slack member id, or set it yourself in Countersign (Settings).';

/** The parts of Slack's `block_actions` payload that are read; everything else in it is ignored. */
interface Interaction {
  type?: unknown;
  user?: { id?: unknown };
  channel?: { id?: unknown };
  container?: { channel_id?: unknown };
  actions?: { action_id?: unknown; value?: unknown }[];
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function refuse(res: ServerResponse, status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}): void {
  send(res, status, { error: { code, message } }, headers);
}

/**
 * `POST /integrations/slack/interactions`: Slack's request URL for the buttons of the
 * direct messages (DESIGN §14). Anyone can reach it, so: counted against the caller's
 * address like other anonymous requests, the body capped and kept raw, and nothing is
 * read from it until Slack's `v0` signature over exactly those bytes checks out with a
 * timestamp within five minutes (401 otherwise). Slack wants an answer within three
 * seconds and ignores its body, so the click is acknowledged at once and handled after:
 * what the clicker needs to know (not linked, not theirs, already decided) reaches them as
 * an ephemeral message, and the request's messages are updated through the outbox.
 *
 * Of the payload only the Slack user, the button and its value (a request id, and for
 * Approve the hash of the payload the message stood for, checked by `decide`) are used;
 * who may vote is decided by Countersign: the user must be the Slack id of an active
 * approver, and the vote goes through `decide` with every rule (assigned now, delegation,
 * separation of duties, one vote each), refusing under the request's lock what Slack may
 * not decide (CRITICAL, a quorum).
 */
export function slackInteractions(services: Services, config: SlackConfig, slack: SlackApi, rateLimiter: RateLimiter) {
  const { logger } = services;
  const inFlight = new Set<Promise<void>>();

  const handle = (req: IncomingMessage & { body?: unknown }, res: ServerResponse, fail: (error: unknown) => void): void => {
    if ((req.method ?? 'GET').toUpperCase() !== 'POST') {
      refuse(res, 405, ErrorCode.BAD_USER_INPUT, 'Slack posts interactions here (POST).', { allow: 'POST' });
      return;
    }
    rateLimiter
      .consume(rateLimitKey(null, req.socket.remoteAddress))
      .then((decision) => {
        if (!decision.ok) {
          refuse(res, 429, ErrorCode.RATE_LIMITED, `Too many requests: try again in ${decision.retryAfterSeconds} s.`, { 'retry-after': String(decision.retryAfterSeconds) });
          return;
        }
        rawBody(req, res, (error?: unknown) => {
          if (error) {
            const status = (error as { status?: number }).status ?? 400;
            refuse(res, status, ErrorCode.BAD_USER_INPUT, status === 413 ? `The body is larger than ${MAX_BODY}.` : 'The body could not be read.');
            return;
          }
          const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
          const check = verifySlackSignature(config.signingSecret, { timestamp: req.headers['x-slack-request-timestamp'], signature: req.headers['x-slack-signature'] }, body);
          if (!check.ok) {
            logger.warn({ reason: check.reason, address: req.socket.remoteAddress }, 'refused a Slack interaction: its signature or timestamp does not check out');
            refuse(res, 401, ErrorCode.UNAUTHENTICATED, check.reason === 'stale' ? 'The request timestamp is more than five minutes away.' : 'The Slack signature does not match.');
            return;
          }
          let interaction: Interaction;
          try {
            const payload = new URLSearchParams(body.toString('utf8')).get('payload');
            interaction = JSON.parse(payload ?? '') as Interaction;
            if (typeof interaction !== 'object' || interaction === null) throw new Error('not an object');
          } catch {
            refuse(res, 400, ErrorCode.BAD_USER_INPUT, 'Expected a form field "payload" holding JSON.');
            return;
          }
          res.writeHead(200, { 'cache-control': 'no-store' });
          res.end();
          const work = act(interaction).catch((failure: unknown) => logger.error({ err: failure }, 'a Slack interaction failed'));
          inFlight.add(work);
          void work.finally(() => inFlight.delete(work));
        });
      })
      .catch(fail);
  };

  async function act(interaction: Interaction): Promise<void> {
    if (interaction.type !== 'block_actions') return;
    const action = interaction.actions?.[0];
    const verdict = action?.action_id === SlackButton.APPROVE ? Verdict.APPROVE : action?.action_id === SlackButton.DENY ? Verdict.DENY : null;
    // "Open" is a link: Slack reports its click too, and there is nothing to do.
    if (verdict === null) return;
    const slackUserId = typeof interaction.user?.id === 'string' ? interaction.user.id : null;
    const channel = typeof interaction.channel?.id === 'string' ? interaction.channel.id : typeof interaction.container?.channel_id === 'string' ? interaction.container.channel_id : null;
    const { actionId, expectedPayloadHash } = readButtonValue(typeof action?.value === 'string' ? action.value : '');
    if (slackUserId === null || !isUuid(actionId)) return;
    const tell = (text: string) => (channel === null ? Promise.resolve() : slack.ephemeral(channel, slackUserId, text).catch((error: unknown) => logger.warn({ err: error }, 'could not tell a Slack user why their click did nothing')));

    const [approver] = await services.sql.execute<{ id: string; name: string }[]>('select "id", "name" from "approver" where "slack_user_id" = ? and "active"', [slackUserId]);
    if (!approver) {
      logger.warn({ slackUserId, actionId }, 'a Slack user linked to no active approver clicked a button: no vote');
      await tell(NOT_LINKED);
      return;
    }
    try {
      // Deny carries no hash: a denial ends the request whatever the payload.
      await decide(services.orm.em.fork(), services, approver.id, { actionId, verdict, expectedPayloadHash }, {
        via: 'SLACK',
        refuse: (row) => {
          const why = whyNotInSlack({ status: row.status, riskLevel: row.risk_level, requiredApprovals: row.required_approvals });
          return why === null ? null : `Request ${row.id} cannot be decided from Slack: ${why}.`;
        },
      });
      logger.info({ actionId, approverId: approver.id, verdict }, 'vote cast from Slack');
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      logger.info({ actionId, approverId: approver.id, verdict, code: error.code }, 'a vote from Slack was refused');
      const url = actionUrl(services.config.publicUrl ?? '', actionId);
      if (error.extensions.reason === PAYLOAD_CHANGED) {
        await tell(`Your approval was not recorded: the payload up for approval changed since this message was sent (another approver changed it). <${url}|Open the request> and review it there.`);
        return;
      }
      // The message may still show buttons for a request that ended: show how it ended.
      if (error.code === ErrorCode.CONFLICT) await refreshDecidedMessages(services.sql, actionId);
      await tell(`Your vote was not recorded: ${escapeSlack(error.message)} <${url}|Open the request>`);
    }
  }

  return {
    handle,
    /** Waits for the clicks acknowledged but not yet handled (shutdown). */
    async settle(): Promise<void> {
      await Promise.allSettled([...inFlight]);
    },
  };
}
