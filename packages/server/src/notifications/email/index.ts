import type { Services } from '../../services.js';
import { DigestScheduler } from './digest.js';
import { EmailWorker } from './email.worker.js';
import { mailDomain } from './mailer.js';
import { BouncePoller } from './bounces/poller.js';

/** The email channel of one instance: nothing unless COUNTERSIGN_SMTP_URL is set. */
export interface EmailChannel {
  stop(): Promise<void>;
}

/**
 * Starts sending mail (the outbox's EMAIL deliveries) and the daily review digests, when
 * mail is configured. Returns once the channel is live, so that events from now on plan mail.
 */
export async function startEmail(services: Services): Promise<EmailChannel> {
  const config = services.config.email;
  if (!config) return { stop: async () => undefined };
  const worker = new EmailWorker(services, config);
  await worker.start();
  const digests = new DigestScheduler(services, config);
  digests.start();
  // Bounces that come back after the SMTP server accepted a mail, read from their mailbox.
  const bounces = config.bounceMailbox
    ? new BouncePoller(services, config.bounceMailbox, { messageIdDomain: mailDomain(config.from), bounceAddress: config.bounceAddress })
    : null;
  bounces?.start();
  services.logger.info({ from: config.from, bounceAddress: config.bounceAddress, bounceMailbox: config.bounceMailbox ? `${config.bounceMailbox.host}/${config.bounceMailbox.mailbox}` : null }, 'email to approvers is on');
  return {
    async stop() {
      await bounces?.stop();
      await digests.stop();
      await worker.stop();
    },
  };
}
