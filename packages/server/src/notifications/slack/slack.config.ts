/** Slack interactive approvals (DESIGN §14): on when both secrets are set. */
export interface SlackConfig {
  /** COUNTERSIGN_SLACK_SIGNING_SECRET: checks that an interaction comes from Slack. */
  signingSecret: string;
  /** COUNTERSIGN_SLACK_BOT_TOKEN (`xoxb-…`): posts and updates the direct messages. */
  botToken: string;
  /** COUNTERSIGN_SLACK_API_URL, ending in a slash (default https://slack.com/api/); tests stand a local server in. */
  apiUrl: string;
}

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

/** Reads the Slack settings; errors are pushed to `errors`. Null when Slack is not configured. */
export function loadSlackConfig(env: Record<string, string | undefined>, errors: string[]): SlackConfig | null {
  const signingSecret = env.COUNTERSIGN_SLACK_SIGNING_SECRET?.trim() || null;
  const botToken = env.COUNTERSIGN_SLACK_BOT_TOKEN?.trim() || null;
  const rawUrl = env.COUNTERSIGN_SLACK_API_URL?.trim() || DEFAULT_SLACK_API_URL;
  let apiUrl: string | null = null;
  try {
    const parsed = new URL(rawUrl);
    if (/^https?:$/.test(parsed.protocol) && !parsed.username && !parsed.password && !parsed.search && !parsed.hash) apiUrl = parsed.href.replace(/\/*$/, '/');
  } catch {
    apiUrl = null;
  }
  if (apiUrl === null) errors.push(`COUNTERSIGN_SLACK_API_URL=${JSON.stringify(rawUrl)} is not valid: expected an http(s) URL such as ${DEFAULT_SLACK_API_URL}.`);
  // Half a configuration is a mistake, not "off": say which half is missing (never the values).
  if ((signingSecret === null) !== (botToken === null)) {
    errors.push(`Slack needs both COUNTERSIGN_SLACK_SIGNING_SECRET and COUNTERSIGN_SLACK_BOT_TOKEN; ${signingSecret === null ? 'COUNTERSIGN_SLACK_SIGNING_SECRET' : 'COUNTERSIGN_SLACK_BOT_TOKEN'} is missing.`);
  }
  if (signingSecret === null || botToken === null || apiUrl === null) return null;
  return { signingSecret, botToken, apiUrl };
}
