/**
 * The `countersign` command: every command is registered here, in one place, with its
 * options, help and examples; each is implemented in its own module under `commands/` as
 * a function that returns data. Printing happens in `output/print.ts`; failures are
 * {@link CliError}s, caught once at the bottom of {@link main}.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { createApi, type Api } from './api/client.js';
import type { CommandContext, Presenter, StreamPresenter } from './command.js';
import { resolveConnection, type Connection } from './config/connection.js';
import { configPath, readConfig } from './config/profiles.js';
import { CliError, EXIT_CODE_MEANINGS, ExitCode } from './errors.js';
import { FORMATS, formatOf, print, printStream, type Format } from './output/print.js';
import { renderView } from './output/render.js';
import { createTerminal } from './output/terminal.js';
import { processIo, readLine, type Io } from './runtime.js';
import { actionsPresenter, listActions } from './commands/actions.js';
import { adminTokenPresenter, createAdminToken, revokeAdminToken, revokedAdminTokenPresenter } from './commands/admin-tokens.js';
import { apply, applyPresenter } from './commands/apply.js';
import { agentPresenter, agentsPresenter, agentWithKeyPresenter, createAgent, listAgents, resumeAgent, rotateAgentKey, suspendAgent } from './commands/agents.js';
import { approverPresenter, approversPresenter, approverWithTokenPresenter, createApprover, linkMySlack, listApprovers, rotateApproverToken, updateApprover } from './commands/approvers.js';
import { auditEventPresenter, exportAudit, verifyAudit, verifyAuditPresenter } from './commands/audit.js';
import { decide, decidePresenter } from './commands/decide.js';
import { createDelegation, delegationPresenter, delegationsPresenter, listDelegations, revokeDelegation } from './commands/delegations.js';
import { diff, diffPresenter } from './commands/diff.js';
import { createGrant, grantPresenter, grantsPresenter, listGrants, revokeGrant } from './commands/grants.js';
import { getGovernance, getGovernancePresenter } from './commands/get-governance.js';
import { history, historyPresenter } from './commands/history.js';
import { init, initPresenter } from './commands/init.js';
import { lint, lintPresenter } from './commands/lint.js';
import { login, loginPresenter, logout, logoutPresenter } from './commands/login.js';
import { me, mePresenter } from './commands/me.js';
import { metrics, metricsPresenter } from './commands/metrics.js';
import { deliveriesPresenter, deliveryPresenter, listDeliveries, myNotifications, notificationsPresenter, retryDelivery } from './commands/notifications.js';
import { listProfiles, profilesPresenter, useProfile } from './commands/profiles.js';
import { queue, queuePresenter } from './commands/queue.js';
import { review, reviewPresenter } from './commands/review.js';
import { show, showPresenter } from './commands/show.js';
import { DEFAULT_CHANGES_LISTED, simulate, simulatePresenter } from './commands/simulate.js';
import { watch, watchPresenter } from './commands/watch.js';

const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** What tests replace: the network, the clock, where profiles live. */
export interface Dependencies {
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
  readonly configPath?: string;
}

/** The options every command accepts (defined once on the program), plus `--json`/`-o`. */
type GlobalOptions = {
  readonly url?: string;
  readonly token?: string;
  readonly profile?: string;
  readonly color?: boolean;
  readonly json?: boolean;
  readonly output?: Format;
};

interface Invocation {
  optsWithGlobals(): GlobalOptions;
}

// --- option parsers (commander calls them with the raw string) ---

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('Expected a whole number of 1 or more.');
  return n;
}

/** Repeatable and comma-separated alike: `--role a --role b` = `--role a,b`. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

/** `on`/`off` (or yes/no, true/false) for a switch that may be set either way. */
function onOff(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['on', 'yes', 'true'].includes(v)) return true;
  if (['off', 'no', 'false'].includes(v)) return false;
  throw new InvalidArgumentError('Expected on or off.');
}

function hourOfDay(value: string): number {
  const n = Number(value);
  if (!/^\d{1,2}$/.test(value.trim()) || n > 23) throw new InvalidArgumentError('Expected an hour from 0 to 23 (UTC).');
  return n;
}

function commaList(value: string): string[] {
  return collect(value, []);
}

function jsonLines(format: Format): Format | 'jsonl' {
  return format === 'json' ? 'jsonl' : format;
}

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}

const ROOT_HELP = `
Connection (first found wins, each on its own):
  --url / --token flags, then COUNTERSIGN_URL / COUNTERSIGN_TOKEN, then the profile
  saved by \`countersign login\` (--profile or COUNTERSIGN_PROFILE picks one), stored in
  $XDG_CONFIG_HOME/countersign/config.json (default ~/.config/countersign/config.json).
  The server defaults to http://127.0.0.1:4000/graphql.

Output:
  Tables fit the terminal width (COLUMNS overrides it; pipes get full width).
  --json (or -o json) prints data for scripts; -o yaml too. NO_COLOR or --no-color
  turns colour off. COUNTERSIGN_DEBUG=1 shows the stack of an unexpected error.

Exit codes:
${EXIT_CODE_MEANINGS.map(([code, meaning]) => `  ${String(code).padStart(2)}  ${meaning}`).join('\n')}

Getting started (server started with \`pnpm start\`, which writes an admin token to
.countersign/admin-token unless COUNTERSIGN_BOOTSTRAP_TOKEN is set):
  $ countersign login --url http://127.0.0.1:4000 --token - < .countersign/admin-token
  $ countersign init                                  # writes governance.yaml
  $ countersign lint -f governance.yaml
  $ countersign apply -f governance.yaml --dry-run    # see what it would do
  $ countersign apply -f governance.yaml
  $ countersign approvers create --name alice --email alice@example.com --role finance
  $ countersign agents create --name invoice-bot --tag finance --owner alice
`;

/** Builds the program. `setExitCode` receives the code the printed data implies. */
export function buildProgram(io: Io, deps: Dependencies, setExitCode: (code: ExitCode) => void) {
  const now = deps.now ?? (() => new Date());
  const profilesAt = deps.configPath ?? configPath(io.env);

  function context(options: GlobalOptions): CommandContext {
    const flags = { url: options.url, token: options.token, profile: options.profile };
    const format = formatOf(options);
    const term = createTerminal(io, options.color);
    let connection: Promise<Connection> | undefined;
    let api: Promise<Api> | undefined;
    const resolve = () => (connection ??= readConfig(profilesAt).then((config) => resolveConnection(flags, io.env, config)));
    const connect = (c: Connection) => createApi(c, { fetch: deps.fetch, userAgent: `countersign-cli/${VERSION}` });
    return {
      io,
      flags,
      configPath: profilesAt,
      interactive: Boolean(io.stdin.isTTY),
      now,
      connection: resolve,
      api: () => (api ??= resolve().then(connect)),
      connect,
      // The plan before "Apply?" must not mix into JSON on stdout.
      show: (view) => void (format === 'table' ? io.stdout : io.stderr).write(renderView(view, term)),
      notice: (message) => void io.stderr.write(`${term.paint('muted', message)}\n`),
      confirm: (question) => confirm(io, question),
    };
  }

  /** Runs a command that returns data, and prints it. */
  async function run<T>(invocation: Invocation, presenter: Presenter<T>, work: (ctx: CommandContext) => Promise<T>): Promise<void> {
    const options = invocation.optsWithGlobals();
    const data = await work(context(options));
    setExitCode(print(data, presenter, formatOf(options), io.stdout, createTerminal(io, options.color), now()));
  }

  /** Runs a command that streams, printing each item as it arrives. */
  async function stream<T>(invocation: Invocation, presenter: StreamPresenter<T>, format: Format | 'jsonl', work: (ctx: CommandContext) => AsyncIterable<T>): Promise<void> {
    const options = invocation.optsWithGlobals();
    setExitCode(await printStream(work(context(options)), presenter, format, io.stdout, createTerminal(io, options.color), now));
  }

  const program = new Command('countersign')
    .description('Govern what AI agents may do: policies as code, approvers and agents, and approving from a terminal.')
    .version(VERSION, '--version', 'print the version')
    .option('--url <url>', 'the Countersign server (env COUNTERSIGN_URL)')
    .option('--token <token>', 'an admin or approver token (env COUNTERSIGN_TOKEN)')
    .option('--profile <name>', 'a profile saved by `countersign login` (env COUNTERSIGN_PROFILE)')
    .option('--no-color', 'no colours (also NO_COLOR)')
    .option('--json', 'print JSON for scripts (same as -o json)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(FORMATS))
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
    })
    .configureHelp({ showGlobalOptions: true, helpWidth: io.stdout.columns && io.stdout.isTTY ? Math.min(io.stdout.columns, 120) : 100 })
    .showSuggestionAfterError()
    .addHelpText('after', ROOT_HELP);

  // --- session ---

  program.commandsGroup('Session:');
  program.command('login')
    .summary('verify a token and save it as a profile')
    .description('Checks the token against the server (the `me` query) and saves the URL and token as a profile, with file mode 0600. Use --token - to read the token from stdin.')
    .addHelpText('after', examples('countersign login --url https://countersign.example.com --token cs_admin_…', 'pass show countersign | countersign login --url https://countersign.example.com --token - --profile prod'))
    .action((_opts, cmd) => run(cmd, loginPresenter, (ctx) => login(ctx)));

  program.command('logout')
    .summary('forget a saved profile')
    .description('Forget a saved profile (the token itself stays valid until rotated).')
    .addHelpText('after', examples('countersign logout', 'countersign logout --profile prod'))
    .action((_opts, cmd) => run(cmd, logoutPresenter, (ctx) => logout(ctx)));

  const slack = program
    .command('slack')
    .summary('link, unlink your Slack account')
    .description('As an approver, link your own Slack account: requests assigned to you then arrive as Slack direct messages with Approve, Deny and Open.')
    .addHelpText('after', examples('countersign slack link U012ABCDEF', 'countersign slack unlink'));
  slack.command('link').argument('<member-id>', 'your Slack member id (in Slack: your profile, ⋮, "Copy member ID")')
    .summary('link your Slack account')
    .description('Link your Slack account (your member id, like U012ABCDEF) to your approver.')
    .addHelpText('after', examples('countersign slack link U012ABCDEF'))
    .action((memberId, _opts, cmd) => run(cmd, approverPresenter, (ctx) => linkMySlack(ctx, memberId)));
  slack.command('unlink')
    .summary('unlink your Slack account')
    .description('Stop Slack direct messages: your approver is no longer linked to a Slack account.')
    .addHelpText('after', examples('countersign slack unlink'))
    .action((_opts, cmd) => run(cmd, approverPresenter, (ctx) => linkMySlack(ctx, null)));

  const meCommand = program.command('me')
    .summary('show who you are and where the connection settings came from')
    .description('Show who the token belongs to and where the connection settings came from.')
    .addHelpText('after', examples('countersign me', 'countersign me --json | jq -r .principal.kind'))
    .action((_opts, cmd) => run(cmd, mePresenter, (ctx) => me(ctx)));
  meCommand.command('notifications')
    .summary('show or set which notifications you get by email (approvers)')
    .description('Show which mails you get (approvers); any option changes that setting first, the others stay as they are. Mail goes to the address an admin set on you, when the server has COUNTERSIGN_SMTP_URL.')
    .option('--email-assigned <on|off>', 'a mail when a request waits for your approval', onOff)
    .option('--email-escalated <on|off>', 'a mail when a request escalates to you', onOff)
    .option('--email-about-to-expire <on|off>', 'a mail when a request waiting for you is about to time out', onOff)
    .option('--digest <on|off>', 'a daily mail listing your review queue (when it holds anything)', onOff)
    .option('--digest-hour <hour>', 'the hour (UTC, 0-23) of the daily digest', hourOfDay)
    .addHelpText('after', examples('countersign me notifications', 'countersign me notifications --email-assigned off --digest on --digest-hour 7'))
    .action((opts, cmd) => run(cmd, notificationsPresenter, (ctx) => myNotifications(ctx, opts)));

  const profiles = program
    .command('profiles')
    .summary('list, use')
    .description('The connections saved by `countersign login`.')
    .addHelpText('after', examples('countersign profiles', 'countersign profiles use prod'));
  profiles.command('list', { isDefault: true })
    .summary('list saved profiles (the default)')
    .description('List saved profiles; * marks the current one.')
    .addHelpText('after', examples('countersign profiles'))
    .action((_opts, cmd) => run(cmd, profilesPresenter, (ctx) => listProfiles(ctx)));
  profiles.command('use').argument('<name>', 'a saved profile')
    .summary('make a saved profile the current one')
    .description('Use this profile when no --profile or COUNTERSIGN_PROFILE is given.')
    .addHelpText('after', examples('countersign profiles use prod'))
    .action((name, _opts, cmd) => run(cmd, profilesPresenter, (ctx) => useProfile(ctx, name)));

  // --- governance as code ---

  program.commandsGroup('Governance as code:');
  program.command('init')
    .summary('write a starter governance.yaml')
    .description('Write a starter governance.yaml, commented, covering payments, health records, customer-data exports and external calls.')
    .option('-f, --file <path>', 'where to write it', 'governance.yaml')
    .option('--force', 'overwrite an existing file')
    .option('--mcp', 'also write a sample MCP gateway config (gateway.yaml) beside it')
    .addHelpText('after', examples('countersign init', 'countersign init -f governance/prod.yaml', 'countersign init --mcp'))
    .action((opts, cmd) => run(cmd, initPresenter, (ctx) => init(ctx, opts)));

  program.command('lint')
    .summary('check a governance document (offline, then on the server)')
    .description('Check a governance document: offline (YAML, shape, CEL, chain names), then with a server dry run when logged in.')
    .requiredOption('-f, --file <path>', 'the document (YAML or JSON; - for stdin)')
    .option('--offline', 'do not ask the server')
    .addHelpText('after', examples('countersign lint -f governance.yaml', 'countersign lint -f governance.yaml --offline'))
    .action((opts, cmd) => run(cmd, lintPresenter, (ctx) => lint(ctx, opts)));

  program.command('diff')
    .summary('show what apply would change')
    .description('Show what `apply` would change (a server dry run), without changing anything.')
    .requiredOption('-f, --file <path>', 'the document (YAML or JSON; - for stdin)')
    .option('--exit-code', `exit ${ExitCode.DIFFERENCES} when there are changes (drift detection in CI)`)
    .addHelpText('after', examples('countersign diff -f governance.yaml', 'countersign diff -f governance.yaml --exit-code || echo "governance drifted"'))
    .action((opts, cmd) => run(cmd, diffPresenter(opts), (ctx) => diff(ctx, opts)));

  program.command('apply')
    .summary('apply a governance document as the new version')
    .description('Apply a governance document as the new version: shows the changes and the warnings, then asks (not when stdin is not a terminal, as in CI).')
    .requiredOption('-f, --file <path>', 'the document (YAML or JSON; - for stdin)')
    .option('--dry-run', 'show the changes and change nothing')
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText('after', examples('countersign apply -f governance.yaml --dry-run', 'countersign apply -f governance.yaml', 'countersign apply -f governance.yaml --yes --json'))
    .action((opts, cmd) => run(cmd, applyPresenter, (ctx) => apply(ctx, opts)));

  const get = program
    .command('get')
    .summary('show a resource (get governance)')
    .description('Show a resource.')
    .addHelpText('after', examples('countersign get governance -o yaml'));
  get.command('governance')
    .summary('show the governance in force')
    .description('Show the governance in force. -o yaml prints the document exactly as applied, ready to edit and apply again.')
    .addHelpText('after', examples('countersign get governance', 'countersign get governance -o yaml > governance.yaml', 'countersign get governance --json | jq .version'))
    .action((_opts, cmd) => run(cmd, getGovernancePresenter, (ctx) => getGovernance(ctx)));

  program.command('history')
    .summary('list applied governance versions')
    .description('List applied governance versions, newest first: when, by whom, what changed.')
    .option('--limit <n>', 'show at most n versions', positiveInt, 20)
    .addHelpText('after', examples('countersign history', 'countersign history --limit 5 --json'))
    .action((opts, cmd) => run(cmd, historyPresenter, (ctx) => history(ctx, opts)));

  program.command('simulate')
    .summary('replay past requests against a draft document')
    .description('Replay stored requests against a draft document, changing nothing: how many would change mode, risk level or route, the mode transitions, and which requests.')
    .requiredOption('-f, --file <path>', 'the draft document (YAML or JSON; - for stdin)')
    .option('--since <when>', 'how far back: a duration (7d, 24h) or a date', '7d')
    .option('--limit <n>', 'list at most n changed requests (the counts cover all; at most 1000)', positiveInt, DEFAULT_CHANGES_LISTED)
    .addHelpText('after', examples('countersign simulate -f draft.yaml --since 7d', 'countersign simulate -f draft.yaml --since 2025-07-01 --limit 200', 'countersign simulate -f draft.yaml --json | jq .transitions'))
    .action((opts, cmd) => run(cmd, simulatePresenter, (ctx) => simulate(ctx, opts)));

  // --- principals ---

  program.commandsGroup('Principals:');
  const agents = program
    .command('agents')
    .summary('create, list, suspend, resume, rotate-key')
    .description('Register agents, list them, suspend them (the kill switch), rotate their keys.')
    .addHelpText('after', examples('countersign agents', 'countersign agents create --name invoice-bot --owner alice', 'countersign agents suspend invoice-bot --reason "looping"'));
  agents.command('list', { isDefault: true })
    .summary('list agents (the default)')
    .description('List agents.')
    .addOption(new Option('--status <status>', 'only agents in this state').choices(['ACTIVE', 'SUSPENDED'] as const))
    .option('--limit <n>', 'show at most n agents', positiveInt, 100)
    .addHelpText('after', examples('countersign agents list', 'countersign agents list --json | jq -r ".nodes[].name"'))
    .action((opts, cmd) => run(cmd, agentsPresenter, (ctx) => listAgents(ctx, opts)));
  agents.command('create')
    .summary('register an agent and print its API key')
    .description('Register an agent. Its API key is printed once.')
    .requiredOption('--name <name>', 'unique name (letters, digits, . _ -)')
    .option('--description <text>', 'what the agent does')
    .option('--tag <tag>', 'a tag, available to conditions as agent.tags (repeatable)', collect)
    .option('--owner <approver>', 'the approver responsible for it (name or id); they cannot approve its requests')
    .addHelpText('after', examples('countersign agents create --name invoice-bot --tag finance --owner alice', 'countersign agents create --name invoice-bot --json | jq -r .apiKey'))
    .action((opts, cmd) => run(cmd, agentWithKeyPresenter, (ctx) => createAgent(ctx, opts)));
  agents.command('suspend').argument('<agent>', 'name or id')
    .summary('suspend an agent (the kill switch)')
    .description('Suspend an agent: every further request it submits is denied until resumed.')
    .option('--reason <text>', 'why (shown on the agent and in the audit log)')
    .addHelpText('after', examples('countersign agents suspend invoice-bot --reason "looping on refunds"'))
    .action((agent, opts, cmd) => run(cmd, agentPresenter, (ctx) => suspendAgent(ctx, agent, opts)));
  agents.command('resume').argument('<agent>', 'name or id')
    .summary('resume a suspended agent')
    .description('Resume a suspended agent.')
    .addHelpText('after', examples('countersign agents resume invoice-bot'))
    .action((agent, _opts, cmd) => run(cmd, agentPresenter, (ctx) => resumeAgent(ctx, agent)));
  agents.command('rotate-key').argument('<agent>', 'name or id')
    .summary('issue a new API key for an agent')
    .description('Issue a new API key for an agent; the old key stops working at once. The new key is printed once.')
    .addHelpText('after', examples('countersign agents rotate-key invoice-bot', 'countersign agents rotate-key invoice-bot --json | jq -r .apiKey'))
    .action((agent, _opts, cmd) => run(cmd, agentWithKeyPresenter, (ctx) => rotateAgentKey(ctx, agent)));

  const approvers = program
    .command('approvers')
    .summary('create, list, update, rotate-token')
    .description('Register approvers, manage their roles, re-issue their tokens.')
    .addHelpText('after', examples('countersign approvers', 'countersign approvers create --name alice --role finance', 'countersign approvers update alice --add-role clinician'));
  approvers.command('list', { isDefault: true })
    .summary('list approvers (the default)')
    .description('List approvers.')
    .option('--role <role>', 'only approvers holding this role')
    .option('--limit <n>', 'show at most n approvers', positiveInt, 100)
    .addHelpText('after', examples('countersign approvers list', 'countersign approvers list --role finance --json'))
    .action((opts, cmd) => run(cmd, approversPresenter, (ctx) => listApprovers(ctx, opts)));
  approvers.command('create')
    .summary('register an approver and print their token')
    .description('Register an approver. Their token is printed once.')
    .requiredOption('--name <name>', 'unique name, as used in `names:` of escalation levels')
    .option('--email <email>', 'where notifications go')
    .option('--role <role>', 'a role, as used in `role:` of escalation levels (repeatable)', collect)
    .option('--slack-user-id <id>', 'their Slack member id (U…): Slack direct messages with Approve/Deny reach them')
    .addHelpText('after', examples('countersign approvers create --name alice --email alice@example.com --role finance --role finance-lead', 'countersign approvers create --name bob --role finance --slack-user-id U012ABCDEF'))
    .action((opts, cmd) => run(cmd, approverWithTokenPresenter, (ctx) => createApprover(ctx, opts)));
  approvers.command('update').argument('<approver>', 'name or id')
    .summary("change an approver's email, roles or active state")
    .description('Change an approver: email, roles, or whether they are active.')
    .option('--email <email>', 'new email')
    .option('--roles <roles>', 'replace all roles (comma-separated)', commaList)
    .option('--add-role <role>', 'add a role (repeatable)', collect)
    .option('--remove-role <role>', 'remove a role (repeatable)', collect)
    .option('--active', 'let them receive work and sign in')
    .option('--no-active', 'stop assigning them work; their token stops working')
    .option('--slack-user-id <id>', 'link their Slack member id (U…)')
    .option('--no-slack-user-id', 'unlink their Slack account')
    .addHelpText('after', examples('countersign approvers update alice --add-role clinician', 'countersign approvers update bob --no-active', 'countersign approvers update bob --slack-user-id U012ABCDEF'))
    .action((approver, opts, cmd) => run(cmd, approverPresenter, (ctx) => updateApprover(ctx, approver, opts)));
  approvers.command('rotate-token').argument('<approver>', 'name or id')
    .summary('issue a new token for an approver')
    .description("Issue a new token for an approver; the old one stops working at once, open connections included. The new token is printed once. An approver may rotate their own.")
    .addHelpText('after', examples('countersign approvers rotate-token alice', 'countersign approvers rotate-token alice --json | jq -r .token'))
    .action((approver, _opts, cmd) => run(cmd, approverWithTokenPresenter, (ctx) => rotateApproverToken(ctx, approver)));

  const delegations = program
    .command('delegations')
    .summary('create, list, revoke')
    .description('Hand approvals to someone else for a while ("while I am away, Bob decides for me").')
    .addHelpText('after', examples('countersign delegations', 'countersign delegations create --to bob --end 14d', 'countersign delegations revoke <id>'));
  delegations.command('list', { isDefault: true })
    .summary('list current and scheduled delegations (the default)')
    .description('List current and scheduled delegations.')
    .option('--all', 'include revoked and ended ones')
    .option('--approver <approver>', 'only those from or to this approver (name or id)')
    .option('--limit <n>', 'show at most n delegations', positiveInt, 100)
    .addHelpText('after', examples('countersign delegations list', 'countersign delegations list --all --json'))
    .action((opts, cmd) => run(cmd, delegationsPresenter(opts), (ctx) => listDelegations(ctx, opts)));
  delegations.command('create')
    .summary('delegate approvals for a time window')
    .description('Delegate your approvals (or, as an admin, someone else\'s with --from) for a window, optionally only some roles or action types.')
    .requiredOption('--to <approver>', 'who decides instead (name or id)')
    .option('--from <approver>', 'whose approvals (admins only; default: yourself)')
    .option('--start <when>', 'when it starts (ISO date or time; default now)')
    .option('--end <when>', 'when it ends: a date, or a duration from the start (14d)')
    .option('--role <role>', 'only work reaching you through this role (repeatable)', collect)
    .option('--action-type <type>', 'only these action types, e.g. payments.* (repeatable)', collect)
    .option('--reason <text>', 'why, for the audit trail')
    .addHelpText('after', examples('countersign delegations create --to bob --end 14d --reason "annual leave"', 'countersign delegations create --from alice --to bob --start 2025-08-01 --end 2025-08-15 --role finance'))
    .action((opts, cmd) => run(cmd, delegationPresenter, (ctx) => createDelegation(ctx, opts)));
  delegations.command('revoke').argument('<id>', 'the delegation id')
    .summary('end a delegation now')
    .description('End a delegation now.')
    .addHelpText('after', examples('countersign delegations revoke 7d0c…'))
    .action((id, _opts, cmd) => run(cmd, delegationPresenter, (ctx) => revokeDelegation(ctx, id)));

  const grants = program
    .command('grants')
    .summary('list, create, revoke standing approvals')
    .description('Standing approvals: later requests of an agent within a scope are approved at once and reviewed by the granter afterwards (DESIGN §12).')
    .addHelpText('after', examples('countersign grants', 'countersign grants create --agent invoice-bot --action-type payments.transfer --max-amount "500 USD" --max-uses 20 --expires 8h', 'countersign grants revoke <id>'));
  grants.command('list', { isDefault: true })
    .summary('list active grants (the default)')
    .description('List active grants, newest first: yours, or everyone\'s for an admin.')
    .option('--all', 'include expired, used up and revoked ones')
    .option('--agent <agent>', 'only grants for this agent (name or id)')
    .option('--granted-by <approver>', 'only grants this approver made (admins; name or id)')
    .option('--limit <n>', 'show at most n grants', positiveInt, 100)
    .addHelpText('after', examples('countersign grants list', 'countersign grants list --all --agent invoice-bot --json'))
    .action((opts, cmd) => run(cmd, grantsPresenter(opts), (ctx) => listGrants(ctx, opts)));
  grants.command('create')
    .summary('grant a standing approval')
    .description('Let later requests of an agent through within a scope: a type (exact or prefix.*), and optionally a CEL condition, an amount ceiling (in its currency only), a destination and a number of uses. It lasts until --expires, at most the policy\'s grants.maxTtl.')
    .requiredOption('--agent <agent>', 'whose requests (name or id)')
    .requiredOption('--action-type <type>', 'payments.transfer, or payments.* for every type under it')
    .option('--when <cel>', 'a CEL condition over action that must also hold')
    .option('--max-amount <amount>', 'the ceiling, e.g. "500 USD" (other currencies are not covered)')
    .option('--destination <system>', 'only requests to this destination, e.g. stripe or swift:external')
    .option('--max-uses <n>', 'how many requests it may let through', positiveInt)
    .option('--expires <when>', 'a date, or a duration from now (8h); default: the longest the policies allow')
    .option('--reason <text>', 'why, for the audit trail')
    .addHelpText('after', examples('countersign grants create --agent invoice-bot --action-type payments.transfer --max-amount "500 USD" --max-uses 20 --expires 8h --reason "month-end run"'))
    .action((opts, cmd) => run(cmd, grantPresenter, (ctx) => createGrant(ctx, opts)));
  grants.command('revoke').argument('<id>', 'the grant id')
    .summary('end a grant now')
    .description('End a grant now: nothing more goes through it.')
    .addHelpText('after', examples('countersign grants revoke 7d0c…'))
    .action((id, _opts, cmd) => run(cmd, grantPresenter, (ctx) => revokeGrant(ctx, id)));

  // --- approving from a terminal ---

  program.commandsGroup('Approving:');
  program.command('queue')
    .summary('list the requests waiting for you')
    .description('List the requests waiting for you: to approve, or with --review, to review after the fact.')
    .option('--review', 'the review queue (ran under ASYNC_REVIEW, awaiting acknowledgement)')
    .option('--limit <n>', 'show at most n requests', positiveInt, 50)
    .addHelpText('after', examples('countersign queue', 'countersign queue --review', 'countersign queue --json | jq -r ".nodes[].id"'))
    .action((opts, cmd) => run(cmd, queuePresenter, (ctx) => queue(ctx, opts)));

  program.command('show').argument('<id>', 'the request id')
    .summary('show everything about a request')
    .description('Show everything about a request: what and why, risk factors, policy and consequences, payload, the agent\'s history, decisions and the audit timeline.')
    .addHelpText('after', examples('countersign show 3f6c…', 'countersign show 3f6c… --json | jq .payload'))
    .action((id, _opts, cmd) => run(cmd, showPresenter, (ctx) => show(ctx, id)));

  program.command('approve').argument('<id>', 'the request id')
    .summary('approve a pending request')
    .description('Approve a pending request, optionally with a modified payload the agent must run with instead. The payload up for approval is shown and your approval is for it alone: should another approver change it before your vote lands, the vote is refused (exit 7) and nothing is recorded.')
    .option('--comment <text>', 'why (recorded and shown to the agent)')
    .option('--payload <json|file>', 'the approved arguments: inline JSON, a JSON/YAML file, or - for stdin')
    .option('--payload-hash <hash>', 'approve only while the payload up for approval is the one you reviewed: its hash as `countersign show` printed it (without it, the payload is shown and its hash sent)')
    .option('--allow-similar <ttl>', 'also approve similar requests of this agent and type at once for this long (30m, 8h; at most the policy\'s grants.maxTtl): a standing approval, reviewed by you afterwards')
    .option('--max-uses <n>', 'with --allow-similar: how many requests it may let through', positiveInt)
    .option('--max-amount <amount>', 'with --allow-similar: the ceiling, in this request\'s currency (e.g. 900)')
    .option('--same-destination', 'with --allow-similar: only requests to this request\'s destination')
    .option('--same-arguments', 'with --allow-similar: only requests with the very arguments approved now')
    .option('--grant-reason <text>', 'with --allow-similar: why, for the audit trail')
    .addHelpText('after', examples('countersign approve 3f6c… --comment "matches invoice INV-42"', 'countersign approve 3f6c… --payload \'{"amount": 900}\' --comment "capped at 900"', 'countersign approve 3f6c… --payload-hash pX0v…', 'countersign approve 3f6c… --allow-similar 8h --max-uses 20 --max-amount 500 --same-destination'))
    .action((id, opts, cmd) => run(cmd, decidePresenter, (ctx) => decide(ctx, id, 'APPROVE', opts)));

  program.command('deny').argument('<id>', 'the request id')
    .summary('deny a pending request')
    .description('Deny a pending request.')
    .requiredOption('--comment <text>', 'why (recorded and shown to the agent)')
    .addHelpText('after', examples('countersign deny 3f6c… --comment "no purchase order for this vendor"'))
    .action((id, opts, cmd) => run(cmd, decidePresenter, (ctx) => decide(ctx, id, 'DENY', opts)));

  program.command('request-changes').argument('<id>', 'the request id')
    .summary('send a pending request back for changes')
    .description('Send a pending request back: the agent may resubmit a revision, optionally with your suggested payload.')
    .requiredOption('--comment <text>', 'what must change')
    .option('--payload <json|file>', 'a suggested payload: inline JSON, a JSON/YAML file, or - for stdin')
    .addHelpText('after', examples('countersign request-changes 3f6c… --comment "split into two payments under 10k"'))
    .action((id, opts, cmd) => run(cmd, decidePresenter, (ctx) => decide(ctx, id, 'REQUEST_CHANGES', opts)));

  program.command('review').argument('<id>', 'the request id')
    .summary('acknowledge or flag a request that ran under review')
    .description('Review a request that ran under ASYNC_REVIEW: acknowledge it, or flag it (flags raise the agent\'s future risk).')
    .addOption(new Option('--ack', 'acknowledge: it was fine').conflicts('flag'))
    .addOption(new Option('--flag', 'flag: it should not have happened').conflicts('ack'))
    .option('--comment <text>', 'why')
    .addHelpText('after', examples('countersign review 3f6c… --ack', 'countersign review 3f6c… --flag --comment "exported more rows than asked"'))
    .action((id, opts, cmd) => run(cmd, reviewPresenter, (ctx) => review(ctx, id, opts)));

  program.command('watch')
    .summary('stream your approval queue live')
    .description('Print your approval queue as it is now, then stream its changes live until Ctrl-C. With --json, one JSON object per line (the requests already waiting carry "current": true).')
    .addHelpText('after', examples('countersign watch', 'countersign watch --json | jq -c "select(.inQueue) | .actionId"'))
    // A stream that never ends cannot be one JSON array: --json means one object per line.
    .action((_opts, cmd) => stream(cmd, watchPresenter, jsonLines(formatOf(cmd.optsWithGlobals())), (ctx) => watch(ctx)));

  const adminTokens = program
    .command('admin-tokens')
    .summary('create, revoke')
    .description('Issue named admin tokens (one per admin or CI job), so the bootstrap token can be retired.')
    .addHelpText('after', examples('countersign admin-tokens create --name ci-governance'));
  adminTokens.command('create')
    .summary('create a named admin token and print it once')
    .description('Create a named admin token. The token is printed once.')
    .requiredOption('--name <name>', 'who or what it is for, e.g. ci-governance')
    .addHelpText('after', examples('countersign admin-tokens create --name ci-governance', 'countersign admin-tokens create --name ana --json | jq -r .token'))
    .action((opts, cmd) => run(cmd, adminTokenPresenter, (ctx) => createAdminToken(ctx, opts)));
  adminTokens.command('revoke').argument('<id>', 'the token\'s id, as `create` printed it')
    .summary('revoke an admin token')
    .description('Revoke an admin token: it stops working at once, open connections included. The token in use cannot revoke itself; the bootstrap token ends when COUNTERSIGN_BOOTSTRAP_TOKEN is unset.')
    .addHelpText('after', examples('countersign admin-tokens revoke 3f2c9a4e-0b1d-4c55-9e57-2a8d1f6b7c90'))
    .action((id, _opts, cmd) => run(cmd, revokedAdminTokenPresenter, (ctx) => revokeAdminToken(ctx, id)));

  // --- oversight ---

  program.commandsGroup('Oversight:');
  program.command('actions')
    .summary('list requests, with filters (admins)')
    .description('List every request, newest first (admins; approvers use `queue`), filtered as the API\'s `actions` query filters: status, mode, risk level, type, agent, and when submitted.')
    .option('--status <status>', 'PENDING, APPROVED, DENIED, CHANGES_REQUESTED, EXPIRED or CANCELLED (repeatable)', collect)
    .option('--mode <mode>', 'AUTO, ASYNC_REVIEW, SYNC_APPROVAL or BLOCK (repeatable)', collect)
    .option('--level <level>', 'risk level: LOW, MEDIUM, HIGH or CRITICAL (repeatable)', collect)
    .option('--type <type>', 'an action type, or a prefix pattern like payments.*')
    .option('--agent <agent>', 'only this agent\'s requests (name or id)')
    .option('--since <when>', 'submitted at or after: a duration back (24h) or a date')
    .option('--until <when>', 'submitted before: a date')
    .option('--limit <n>', 'show at most n requests', positiveInt, 50)
    .addHelpText('after', examples('countersign actions --status pending', 'countersign actions --type "payments.*" --level high,critical --since 7d', 'countersign actions --agent invoice-bot --json | jq -r ".nodes[].id"'))
    .action((opts, cmd) => run(cmd, actionsPresenter, (ctx) => listActions(ctx, opts)));

  const deliveries = program
    .command('deliveries')
    .summary('list notifications sent (webhooks, email, Slack), retry a failed one (admins)')
    .description('The delivery log of every channel, newest first: to whom, how many attempts, and why the last one failed (an HTTP status line, an SMTP reply, a bounce).')
    .addHelpText('after', examples('countersign deliveries --channel email --status failed', 'countersign deliveries retry 3f2c9a4e-0b1d-4c55-9e57-2a8d1f6b7c90'));
  deliveries.command('list', { isDefault: true })
    .summary('list deliveries (the default)')
    .description('List deliveries, newest first.')
    .addOption(new Option('--channel <channel>', 'only this channel').choices(['webhook', 'email', 'slack'] as const))
    .addOption(new Option('--status <status>', 'only deliveries in this state').choices(['pending', 'delivered', 'failed'] as const))
    .option('--event <event>', 'ASSIGNED, ESCALATED, ABOUT_TO_EXPIRE, DECIDED or DIGEST')
    .option('--bounced', 'only mails that bounced after they were sent (read from the bounce mailbox)')
    .option('--limit <n>', 'show at most n deliveries', positiveInt, 50)
    .addHelpText('after', examples('countersign deliveries --status failed', 'countersign deliveries --bounced', 'countersign deliveries --channel email --event digest --json'))
    .action((opts, cmd) => run(cmd, deliveriesPresenter, (ctx) => listDeliveries(ctx, {
      ...opts,
      channel: opts.channel ? (opts.channel.toUpperCase() as 'WEBHOOK' | 'EMAIL' | 'SLACK') : undefined,
      status: opts.status ? (opts.status.toUpperCase() as 'PENDING' | 'DELIVERED' | 'FAILED') : undefined,
    })));
  deliveries.command('retry').argument('<id>', 'the delivery\'s id, as `deliveries` lists it')
    .summary('send a failed delivery again')
    .description('Send a FAILED delivery again, with a fresh round of attempts (after the receiver, the mail server or the address was fixed).')
    .addHelpText('after', examples('countersign deliveries retry 3f2c9a4e-0b1d-4c55-9e57-2a8d1f6b7c90'))
    .action((id, _opts, cmd) => run(cmd, deliveryPresenter, (ctx) => retryDelivery(ctx, id)));

  program.command('metrics')
    .summary('volumes, decisions, the queue, per approver and policy, fatigue alerts')
    .description('How governance is working over a window: submissions, decisions and time to decision, the queue, escalations and expiries, per approver and per policy, and approval-fatigue alerts with the change to consider and the numbers behind it.')
    .option('--window <duration>', 'how far back (e.g. 1h, 24h, 7d)', '24h')
    .option('--bucket <duration>', 'the size of each point of the trends (default: at most 60 points)')
    .addHelpText('after', examples('countersign metrics', 'countersign metrics --window 7d --bucket 1d', 'countersign metrics --json | jq ".alerts[] | .suggestion"'))
    .action((opts, cmd) => run(cmd, metricsPresenter, (ctx) => metrics(ctx, opts)));

  const audit = program
    .command('audit')
    .summary('verify, export')
    .description('Check and export the tamper-evident audit trail.')
    .addHelpText('after', examples('countersign audit verify', 'countersign audit export --since 30d > audit.jsonl'));
  audit.command('verify')
    .summary('verify the audit hash chain')
    .description(`Recompute the audit hash chain; exits ${ExitCode.INTEGRITY} when an event was changed, deleted or reordered.`)
    .addHelpText('after', examples('countersign audit verify', 'countersign audit verify --json'))
    .action((_opts, cmd) => run(cmd, verifyAuditPresenter, (ctx) => verifyAudit(ctx)));
  audit
    .command('export')
    .summary('export audit events (JSON Lines)')
    .description('Export audit events in chain order, streamed (JSON Lines by default), e.g. for a SIEM or an archive.')
    .requiredOption('--since <when>', 'from: a duration back (30d) or a date')
    .option('--until <when>', 'to: a date (default now)')
    .option('--subject <id>', 'only events about this request, agent, approver… (its id)')
    .option('--kind <kind>', 'only events of this kind, e.g. ACTION_DECIDED (repeatable)', collect)
    .addOption(new Option('--format <format>', 'jsonl: one event per line; json: an array; table: for people').choices(['jsonl', 'json', 'table'] as const).default('jsonl' as const))
    .addHelpText('after', examples('countersign audit export --since 30d > audit.jsonl', 'countersign audit export --since 2025-07-01 --until 2025-08-01 --format json'))
    .action((opts, cmd) => stream(cmd, auditEventPresenter, cmd.optsWithGlobals().json ? 'json' : opts.format, (ctx) => exportAudit(ctx, opts)));

  return program;
}

/** Asks on stderr and reads one line; anything but y/yes (or no answer at all) is no. */
async function confirm(io: Io, question: string): Promise<boolean> {
  io.stderr.write(`${question} [y/N] `);
  const answer = await readLine(io.stdin);
  return /^y(es)?$/i.test(answer.trim());
}

/** Prints an error as one line on stderr and returns its exit code. */
function report(error: unknown, io: Io): ExitCode {
  if (error instanceof CommanderError) {
    // Commander has printed its own message (or the help, or the version) already.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.OK;
    return ExitCode.USAGE;
  }
  if (error instanceof CliError) {
    io.stderr.write(`error: ${error.message}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  const debug = io.env.COUNTERSIGN_DEBUG && io.env.COUNTERSIGN_DEBUG !== '0';
  io.stderr.write(`error: ${message.split('\n')[0]}\n`);
  if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  else io.stderr.write('(an unexpected error: set COUNTERSIGN_DEBUG=1 to see where it happened)\n');
  return ExitCode.ERROR;
}

/**
 * Runs the CLI on `argv` (without `node` and the script) and resolves to the exit code.
 * Never throws and never calls `process.exit`, so tests run it in-process.
 */
export async function main(argv: readonly string[], io: Io = processIo(), deps: Dependencies = {}): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.OK;
  const program = buildProgram(io, deps, (code) => (exitCode = code));
  if (argv.length === 0) {
    program.outputHelp();
    return ExitCode.OK;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return report(error, io);
  }
}
