import type { Services } from '../../services.js';
import type { RateLimiter } from '../../limits/rate-limit.js';
import type { SlackConfig } from './slack.config.js';
import { SlackApi } from './slack.api.js';
import { enableSlackOutbox } from './slack.outbox.js';
import { slackWorker } from './slack.worker.js';
import { slackInteractions } from './interactions.routes.js';

export interface SlackIntegration {
  interactions: ReturnType<typeof slackInteractions>;
  /** Starts sending the Slack outbox (after the server listens). */
  start(): void;
  stop(): Promise<void>;
}

/**
 * Slack interactive approvals for one instance: the outbox is planned from now on, the
 * interactions endpoint answers, and {@link SlackIntegration.start} sends what is due.
 */
export function startSlack(services: Services, config: SlackConfig, rateLimiter: RateLimiter): SlackIntegration {
  const api = new SlackApi(config, services.config.webhooks.timeoutMs, services.logger);
  const disableOutbox = enableSlackOutbox();
  const worker = slackWorker(services, api);
  const interactions = slackInteractions(services, config, api, rateLimiter);
  return {
    interactions,
    start: () => worker.start(),
    async stop() {
      await interactions.settle();
      await worker.stop();
      disableOutbox();
    },
  };
}
