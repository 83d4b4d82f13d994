import { useCallback, useEffect, useLayoutEffect, useMemo, useState } from 'react';
import { useMutation, useQuery, useSubscription, type CombinedError } from 'urql';
import { Link } from 'wouter';
import { graphql } from '../gql/index.js';
import type { ActionPageQuery } from '../gql/graphql.js';
import { amountWithCode, dateTime, grantScopeText, money, parseJson, percent, prettyJson, ttlChoices, ttlLabel, ttlValue, until, words } from '../format.js';
import { ConfirmDialog, Countdown, Empty, ErrorNote, Loading, Quorum, RiskBadge, StatusBadge, typingIn, useNow } from '../components/ui.js';
import { JsonDiff, ReadableJson } from '../components/JsonDiff.js';
import { GrantTerms } from '../components/Grant.js';

const ActionQuery = graphql(`
  query ActionPage($id: ID!) {
    action(id: $id) {
      id type operation summary justification expectedOutcome resource
      dataClassification dataCategories recordCount
      destination { system external }
      amount { value currency }
      payload context
      risk { score level factors { dimension points detail } }
      mode status statusReason reviewStatus policy
      consequences { approve deny }
      notes route chain escalationLevel deadline requiredApprovals governanceVersion
      approvedPayload candidatePayload candidatePayloadHash receipt
      outcome { status detail at }
      createdAt updatedAt decidedAt
      agent {
        id name description status
        baseline {
          since requests actionsPerHour requestsLastHour humanDecisions approvalRate denialRate reviewed flagRate blocked expired
          usualAmounts { type currency p50 p95 samples }
        }
        recentActions(first: 8) { id summary status mode createdAt risk { level score } }
      }
      revisionOf { id summary status }
      revisionChanges {
        requestedChanges { comment approver { name } }
        fields { field before after }
        payload { path change before after }
        payloadTruncated followsSuggestion
      }
      assignees { level viaRole approver { id name } onBehalfOf { id name } }
      approvals
      decisions { verdict comment modifiedPayload superseded at approver { id name } onBehalfOf { id name } }
      reviews { verdict comment at approver { id name } onBehalfOf { id name } }
      auditTrail { seq at kind actorType actorId data }
      grant { ...GrantFields }
      grantOffer { allowed reason maxTtl }
      breakGlass { justification used reviewOverdueSince }
      similar(first: 5) {
        sameAgent { id summary status createdAt decidedAt amount { value currency } decisions { verdict approver { name } } }
        otherAgents { id summary status createdAt decidedAt amount { value currency } agent { name } decisions { verdict approver { name } } }
      }
    }
  }
`);

const ActionChanged = graphql(`
  subscription ActionChanged($id: ID!) {
    actionUpdated(id: $id) { id status updatedAt }
  }
`);

const Decide = graphql(`
  mutation Decide($input: DecisionInput!) {
    decide(input: $input) { id status }
  }
`);

type Action = ActionPageQuery['action'];

/** The server refused an approval because the payload up for approval changed since the page loaded it. */
function payloadChanged(error: CombinedError | undefined): boolean {
  return !!error?.graphQLErrors.some((e) => e.extensions?.reason === 'PAYLOAD_CHANGED');
}

/** What an approval now approves: an approver's modification once one was made, else the submitted payload. */
function payloadUpForApproval(action: Action): unknown {
  return action.status === 'PENDING' && action.candidatePayload !== null && action.candidatePayload !== undefined ? action.candidatePayload : action.payload;
}
type Verdict = 'APPROVE' | 'DENY' | 'REQUEST_CHANGES';

/** `/actions/:id`: one request with everything needed to decide it, and the verdicts. */
export default function ActionPage({ id, canDecide, myId }: { id: string; canDecide: boolean; myId: string | null }) {
  const [result, refetch] = useQuery({ query: ActionQuery, variables: { id } });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  // Kept here, above the verdict form, which starts afresh for each payload up for approval.
  const [stale, setStale] = useState(false);
  const onStale = useCallback(() => {
    setStale(true);
    reload();
  }, [reload]);
  useSubscription({ query: ActionChanged, variables: { id } }, (_, event) => {
    reload();
    return event;
  });
  const action = result.data?.action;
  if (result.error && !action) {
    const notFound = result.error.graphQLErrors.some((e) => e.extensions?.code === 'NOT_FOUND' || e.extensions?.code === 'FORBIDDEN');
    return (
      <section>
        <h1>{notFound ? 'Request not found' : 'This request could not be loaded'}</h1>
        {notFound ? <p className="muted">It does not exist, or it was never routed to you.</p> : <ErrorNote error={result.error} retry={reload} />}
        <p>
          <Link href="/">Back to your queue</Link>
        </p>
      </section>
    );
  }
  if (!action) return <Loading what="Loading the request" />;
  return <ActionView action={action} canDecide={canDecide} myId={myId} stale={stale} decision={{ onStale, onSend: () => setStale(false) }} />;
}

/** How the verdict forms tell the page about an approval refused for a payload that changed since it loaded. */
interface DecisionEvents {
  /** A vote is being sent: an earlier refusal no longer applies. */
  onSend(): void;
  /** Refused: say so, and load the payload up for approval now. */
  onStale(): void;
}

function ActionView({ action, canDecide, myId, stale, decision }: { action: Action; canDecide: boolean; myId: string | null; stale: boolean; decision: DecisionEvents }) {
  const now = useNow();
  const names = useMemo(() => nameIndex(action), [action]);
  // The server's count: one person, one vote, approvals of a superseded payload left out.
  const q = { given: action.approvals, required: action.requiredApprovals };
  const pending = action.status === 'PENDING' && action.mode === 'SYNC_APPROVAL';
  // Approved with nobody asked: there is no quorum to show, only a review to come.
  const approvedUnasked = action.statusReason === 'BREAK_GLASS' || action.statusReason === 'GRANTED';
  useEffect(() => {
    document.title = `${action.summary} · Countersign`;
    return () => void (document.title = 'Countersign');
  }, [action.summary]);

  return (
    <article className="action" aria-labelledby="action-title">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link href="/">{canDecide ? 'Your queue' : 'Start'}</Link> <span aria-hidden="true">/</span> <span className="code">{action.type}</span>
      </nav>
      <header className="action-head">
        <h1 id="action-title">{action.summary}</h1>
        <div className="row wrap">
          <RiskBadge level={action.risk.level} score={action.risk.score} />
          <StatusBadge status={action.status} />
          {action.statusReason === 'BREAK_GLASS' ? <span className="badge break-glass">Break-glass</span> : null}
          {action.statusReason === 'GRANTED' ? <span className="badge granted">Approved by grant</span> : null}
          <span className="badge">{words(action.mode)}</span>
          {pending ? (
            <span>
              Due <Countdown deadline={action.deadline} now={now} />
            </span>
          ) : null}
          {action.mode === 'SYNC_APPROVAL' && !approvedUnasked ? <Quorum {...q} /> : null}
        </div>
        <p className="muted">
          Asked by <strong>{action.agent.name}</strong> {dateTime(action.createdAt)}
          {action.agent.status === 'SUSPENDED' ? ' · agent suspended' : ''}
        </p>
      </header>

      <div className="columns">
        <div className="main-col">
          {action.breakGlass ? <BreakGlassCard action={action} now={now} /> : null}
          {action.grant ? <GrantedCard action={action} grant={action.grant} now={now} mayOpen={!canDecide || action.grant.grantedBy.id === myId} /> : null}
          {pending && action.statusReason === 'QUORUM_UNREACHABLE' ? (
            <p role="alert" className="card warning">
              <strong>Nobody left can complete this approval.</strong> It needs {action.requiredApprovals} approvals, more than the people who may give them.
              {action.notes.length ? ` ${action.notes[action.notes.length - 1]}` : ''}
            </p>
          ) : null}
          {pending && stale ? (
            <p role="alert" className="card warning">
              <strong>The payload up for approval changed since you loaded it: your approval was not recorded.</strong> Another approver changed it. Review the payload now up for approval, then decide again.
            </p>
          ) : null}
          {pending && prettyJson(payloadUpForApproval(action)) !== prettyJson(action.payload) ? (
            <section className="card" aria-labelledby="candidate-title">
              <h2 id="candidate-title">Payload now up for approval</h2>
              <p>An approver changed the payload; approving approves this version, and approvals of the earlier one no longer count.</p>
              <JsonDiff before={action.payload} after={payloadUpForApproval(action)} label="Changes from the submitted payload" />
            </section>
          ) : null}
          {/* Keyed by the version up for approval: a new one brings a fresh draft, not the old one as an "edit". */}
          {canDecide && pending ? <Verdicts key={action.candidatePayloadHash} action={action} events={decision} /> : null}
          {action.status !== 'PENDING' ? <Outcome action={action} /> : null}

          <section className="card" aria-labelledby="why-title">
            <h2 id="why-title">What and why</h2>
            <dl className="kv">
              <div><dt>Justification</dt><dd>{action.justification ?? <span className="muted">None given</span>}</dd></div>
              <div><dt>Expected outcome</dt><dd>{action.expectedOutcome ?? <span className="muted">None given</span>}</dd></div>
              <div><dt>Operation</dt><dd>{words(action.operation)}{action.resource ? ` on ${action.resource}` : ''}</dd></div>
              {money(action.amount) ? <div><dt>Amount</dt><dd>{money(action.amount)}</dd></div> : null}
              {action.destination ? <div><dt>Destination</dt><dd>{action.destination.system ?? 'unnamed system'}{action.destination.external ? ' (outside the organisation)' : ' (internal)'}</dd></div> : null}
              {action.dataClassification ? <div><dt>Data</dt><dd>{words(action.dataClassification)}{action.dataCategories.length ? ` · ${action.dataCategories.join(', ')}` : ''}{action.recordCount !== null && action.recordCount !== undefined ? ` · ${action.recordCount} records` : ''}</dd></div> : null}
            </dl>
          </section>

          <section className="card" aria-labelledby="risk-title">
            <h2 id="risk-title">Risk: {action.risk.score} of 100</h2>
            {action.risk.factors.length === 0 ? <p className="muted">No risk factor applied.</p> : (
              <ul className="factors">
                {action.risk.factors.map((f, i) => (
                  <li key={i}><span className="points">+{f.points}</span> <span>{f.detail}</span></li>
                ))}
              </ul>
            )}
          </section>

          <section className="card" aria-labelledby="policy-title">
            <h2 id="policy-title">Policy and consequences</h2>
            <dl className="kv">
              <div><dt>Policy</dt><dd>{action.policy ?? 'Defaults (no policy matched)'}{action.governanceVersion ? ` · governance v${action.governanceVersion}` : ''}</dd></div>
              <div><dt>If approved</dt><dd>{action.consequences?.approve ?? <span className="muted">The agent runs the action with the approved payload.</span>}</dd></div>
              <div><dt>If denied</dt><dd>{action.consequences?.deny ?? <span className="muted">The agent does not run it.</span>}</dd></div>
              {action.route ? <div><dt>Route</dt><dd>{action.route}{action.chain ? ` → ${action.chain}` : ''}{action.escalationLevel ? `, level ${action.escalationLevel}` : ''}</dd></div> : null}
            </dl>
            {action.notes.length ? <ul className="muted small">{action.notes.map((n, i) => <li key={i}>{n}</li>)}</ul> : null}
          </section>

          {action.revisionChanges ? <Revision action={action} /> : null}

          <section className="card" aria-labelledby="payload-title">
            <h2 id="payload-title">Payload</h2>
            <ReadableJson value={action.payload} />
            <details>
              <summary>Raw JSON</summary>
              <pre className="code-block" aria-label="Raw payload">{prettyJson(action.payload)}</pre>
            </details>
            {action.context ? (
              <details>
                <summary>Context</summary>
                <pre className="code-block">{prettyJson(action.context)}</pre>
              </details>
            ) : null}
          </section>

          <Timeline action={action} names={names} />
        </div>

        <aside className="side-col">
          <section className="card" aria-labelledby="people-title">
            <h2 id="people-title">{action.reviewStatus && action.status !== 'PENDING' ? 'Who reviews' : 'Who decides'}</h2>
            {action.assignees.length === 0 ? <p className="muted">Nobody is assigned now.</p> : (
              <ul className="plain">
                {action.assignees.map((a, i) => (
                  <li key={i}>{a.approver.name}{a.onBehalfOf ? ` for ${a.onBehalfOf.name}` : ''}{a.viaRole ? <span className="muted"> · {a.viaRole}</span> : null}</li>
                ))}
              </ul>
            )}
            {action.decisions.length ? (
              <>
                <h3>Verdicts</h3>
                <ul className="plain">
                  {action.decisions.map((d, i) => (
                    <li key={i}><strong>{words(d.verdict)}</strong> by {d.approver.name}{d.onBehalfOf ? ` for ${d.onBehalfOf.name}` : ''}{d.comment ? <q className="block">{d.comment}</q> : null}</li>
                  ))}
                </ul>
              </>
            ) : null}
          </section>
          <AgentCard action={action} />
          <Similar action={action} />
        </aside>
      </div>
    </article>
  );
}

function Verdicts({ action, events }: { action: Action; events: DecisionEvents }) {
  const [comment, setComment] = useState('');
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(() => prettyJson(payloadUpForApproval(action)));
  const [confirm, setConfirm] = useState<Verdict | null>(null);
  const [granting, setGranting] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [{ fetching, error }, decide] = useMutation(Decide);
  const parsed = editing ? parseJson(draft) : null;
  const edited = parsed?.ok && prettyJson(parsed.value) !== prettyJson(payloadUpForApproval(action)) ? parsed.value : undefined;
  // "Approve and allow similar": hidden where the policy allows no grants at all; where it
  // does, disabled with the server's reason when this request cannot be granted.
  const offer = action.grantOffer;
  const offered = offer.maxTtl !== null && offer.maxTtl !== undefined;
  const grantBlocked = !offer.allowed
    ? `Allowing similar requests is not possible here: ${offer.reason ?? 'the server does not offer it'}.`
    : edited !== undefined || (parsed !== null && !parsed.ok)
      ? 'Allowing similar requests goes with the payload as submitted: stop editing it to offer it.'
      : null;

  const ask = useCallback((verdict: Verdict) => {
    setProblem(null);
    if (verdict === 'REQUEST_CHANGES' && !comment.trim()) {
      setProblem('Say in the comment what should change.');
      document.getElementById('comment')?.focus();
      return;
    }
    if (verdict === 'APPROVE' && parsed && !parsed.ok) {
      setProblem('The edited payload is not valid JSON; fix it or stop editing.');
      return;
    }
    setConfirm(verdict);
  }, [comment, parsed]);

  // a / d: approve / deny, from anywhere on the page but a text field; bound before the
  // page is painted, so a key pressed as soon as it shows is not lost.
  useLayoutEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (typingIn(event) || event.metaKey || event.ctrlKey || event.altKey) return;
      if (event.key === 'a') ask('APPROVE');
      else if (event.key === 'd') ask('DENY');
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [ask]);

  async function send(verdict: Verdict) {
    const modifiedPayload = verdict === 'DENY' ? undefined : edited;
    // An approval names the payload on screen: should another approver change it before the
    // vote lands, the server refuses it rather than count it for a payload never shown here.
    const expectedPayloadHash = verdict === 'APPROVE' ? action.candidatePayloadHash : undefined;
    events.onSend();
    // On success the live subscription turns the page to the outcome; on failure the error shows here.
    const result = await decide({ input: { actionId: action.id, verdict, comment: comment.trim() || undefined, modifiedPayload, expectedPayloadHash } });
    setConfirm(null);
    if (payloadChanged(result.error)) events.onStale();
  }

  const label: Record<Verdict, string> = { APPROVE: 'Approve', DENY: 'Deny', REQUEST_CHANGES: 'Request changes' };
  return (
    <section className="card decide" aria-labelledby="decide-title">
      <h2 id="decide-title">Your verdict</h2>
      <label htmlFor="comment">Comment</label>
      <textarea id="comment" rows={3} value={comment} onChange={(e) => setComment(e.target.value)} placeholder="Why — required when requesting changes" />
      <div className="row wrap">
        <label className="check">
          <input type="checkbox" checked={editing} onChange={(e) => setEditing(e.target.checked)} /> Edit the payload before approving
        </label>
      </div>
      {editing ? (
        <div className="edit">
          <label htmlFor="payload-edit">Payload to approve (JSON)</label>
          <textarea id="payload-edit" className="mono" rows={Math.min(16, draft.split('\n').length + 1)} value={draft} onChange={(e) => setDraft(e.target.value)} spellCheck={false} aria-invalid={parsed && !parsed.ok ? true : undefined} aria-describedby="payload-status" />
          <p id="payload-status" className={parsed && !parsed.ok ? 'field-error' : 'muted small'}>
            {parsed && !parsed.ok ? `Not valid JSON: ${parsed.error}` : edited === undefined ? 'Same as submitted.' : 'Changed: the agent will run with this payload.'}
          </p>
          {edited !== undefined ? <JsonDiff before={payloadUpForApproval(action)} after={edited} label="Changes to the payload" /> : null}
        </div>
      ) : null}
      {problem ? <p className="field-error" role="alert">{problem}</p> : null}
      {error && !payloadChanged(error) ? <ErrorNote error={error} /> : null}
      <div className="row wrap verdicts">
        <button type="button" className="button primary" onClick={() => ask('APPROVE')} aria-keyshortcuts="a">Approve</button>
        {offered ? (
          <button type="button" className="button" disabled={grantBlocked !== null} aria-describedby={grantBlocked ? 'grant-why' : undefined} onClick={() => { setProblem(null); setGranting(true); }}>
            Approve and allow similar…
          </button>
        ) : null}
        <button type="button" className="button danger" onClick={() => ask('DENY')} aria-keyshortcuts="d">Deny</button>
        <button type="button" className="button" onClick={() => ask('REQUEST_CHANGES')}>Request changes</button>
        <span className="muted small hint"><kbd>a</kbd> approve · <kbd>d</kbd> deny</span>
      </div>
      {offered && grantBlocked ? <p id="grant-why" className="muted small">{grantBlocked}</p> : null}
      {granting ? <GrantDialog action={action} comment={comment.trim() || undefined} events={events} onClose={() => setGranting(false)} /> : null}
      {confirm ? (
        <ConfirmDialog
          title={confirm === 'APPROVE' ? (edited !== undefined ? 'Approve with your edited payload?' : 'Approve this request?') : confirm === 'DENY' ? 'Deny this request?' : 'Ask the agent for changes?'}
          confirmLabel={label[confirm]}
          tone={confirm === 'DENY' ? 'danger' : 'primary'}
          busy={fetching}
          onCancel={() => setConfirm(null)}
          onConfirm={() => void send(confirm)}
        >
          <p><strong>{action.summary}</strong></p>
          {confirm === 'APPROVE' ? <p>{action.consequences?.approve ?? 'The agent will run the action.'}</p> : null}
          {confirm === 'DENY' ? <p>{action.consequences?.deny ?? 'The agent will not run the action.'}</p> : null}
          {confirm === 'APPROVE' && edited !== undefined ? <JsonDiff before={payloadUpForApproval(action)} after={edited} label="Payload changes you are approving" /> : null}
          {confirm !== 'APPROVE' && comment.trim() ? <p>Your comment: <q>{comment.trim()}</q></p> : null}
          {confirm === 'REQUEST_CHANGES' && edited !== undefined ? <p className="muted">Your edited payload goes with it as a suggestion.</p> : null}
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

/** Field values as typed, checked: a number, null when blank, or what is wrong. */
function numberField(text: string, check: (n: number) => string | null): { value: number | null; error: string | null } {
  if (text.trim() === '') return { value: null, error: null };
  const n = Number(text);
  const error = Number.isFinite(n) ? check(n) : 'Not a number.';
  return { value: error ? null : n, error };
}

/**
 * "Approve and allow similar…": the approver sets the scope of a standing approval
 * (DESIGN §12), reads it back in one sentence, and approves this request with `grant`.
 * The server's refusal (the policy's limits) is shown here, and the dialog stays open.
 */
function GrantDialog({ action, comment, events, onClose }: { action: Action; comment: string | undefined; events: DecisionEvents; onClose(): void }) {
  const now = useNow();
  const choices = ttlChoices(action.grantOffer.maxTtl);
  const [ttl, setTtl] = useState(() => (choices.includes(4 * 3600) ? 4 * 3600 : choices[choices.length - 1]!));
  const [usesText, setUsesText] = useState('5');
  const [ceilingText, setCeilingText] = useState(action.amount ? String(action.amount.value) : '');
  const [sameDestination, setSameDestination] = useState(!!action.destination);
  const [sameArguments, setSameArguments] = useState(false);
  const [reason, setReason] = useState('');
  const [{ fetching, error }, decide] = useMutation(Decide);
  const uses = numberField(usesText, (n) => (Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? null : 'A whole number from 1, or blank for any number.'));
  const ceiling = numberField(ceilingText, (n) => (n >= 0 ? null : 'Zero or more, or blank for no ceiling.'));
  const currency = action.amount?.currency;
  const scope = grantScopeText({
    agent: action.agent.name,
    actionType: action.type,
    maxUses: uses.value,
    maxAmount: currency && ceiling.value !== null ? { value: ceiling.value, currency } : null,
    amounts: !!action.amount,
    sameDestination: sameDestination && !!action.destination,
    destination: action.destination ?? null,
    sameArguments,
  }, true);
  const invalid = !!uses.error || !!ceiling.error;

  async function confirm() {
    events.onSend();
    const result = await decide({
      input: {
        actionId: action.id,
        verdict: 'APPROVE',
        comment,
        expectedPayloadHash: action.candidatePayloadHash,
        grant: {
          ttl: ttlValue(ttl),
          maxUses: uses.value,
          maxAmount: currency ? ceiling.value : null,
          sameDestination: sameDestination && !!action.destination,
          sameArguments,
          reason: reason.trim() || undefined,
        },
      },
    });
    // On success the live subscription turns the page to the outcome; a refusal stays in view,
    // but for a payload that changed meanwhile: the page then shows it, and this offer was for the old one.
    if (!result.error) onClose();
    else if (payloadChanged(result.error)) {
      onClose();
      events.onStale();
    }
  }

  return (
    <ConfirmDialog title="Approve and allow similar requests?" confirmLabel="Approve and allow similar" busy={fetching || invalid} onCancel={onClose} onConfirm={() => void confirm()}>
      <div className="grant-form">
        <div className="field">
          <label htmlFor="grant-ttl">For how long</label>
          <select id="grant-ttl" value={ttl} onChange={(e) => setTtl(Number(e.target.value))} aria-describedby="grant-ttl-note">
            {choices.map((s) => <option key={s} value={s}>{ttlLabel(s)}</option>)}
          </select>
          <p id="grant-ttl-note" className="muted small">At most {ttlLabel(action.grantOffer.maxTtl ?? choices[choices.length - 1]!)} under policy {action.policy ?? 'defaults'}.</p>
        </div>
        <div className="field">
          <label htmlFor="grant-uses">At most how many requests</label>
          <input id="grant-uses" type="number" inputMode="numeric" min={1} step={1} value={usesText} onChange={(e) => setUsesText(e.target.value)} aria-invalid={uses.error ? true : undefined} aria-describedby="grant-uses-note" />
          <p id="grant-uses-note" className={uses.error ? 'field-error' : 'muted small'}>{uses.error ?? 'Blank: any number until it ends.'}</p>
        </div>
        {currency ? (
          <div className="field">
            <label htmlFor="grant-ceiling">Amount ceiling ({currency})</label>
            <input id="grant-ceiling" type="number" inputMode="decimal" min={0} step="any" value={ceilingText} onChange={(e) => setCeilingText(e.target.value)} aria-invalid={ceiling.error ? true : undefined} aria-describedby="grant-ceiling-note" />
            <p id="grant-ceiling-note" className={ceiling.error ? 'field-error' : 'muted small'}>{ceiling.error ?? `This request: ${amountWithCode(action.amount!)}. Only requests in ${currency} are covered; blank: any amount.`}</p>
          </div>
        ) : null}
        {action.destination ? (
          <label className="check field">
            <input type="checkbox" checked={sameDestination} onChange={(e) => setSameDestination(e.target.checked)} /> Only to the same destination ({action.destination.system ?? 'unnamed system'})
          </label>
        ) : null}
        <label className="check field">
          <input type="checkbox" checked={sameArguments} onChange={(e) => setSameArguments(e.target.checked)} /> Only with these very arguments
        </label>
        <div className="field">
          <label htmlFor="grant-reason">Reason</label>
          <input id="grant-reason" type="text" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Optional: for the audit trail" />
        </div>
      </div>
      <p className="scope" aria-live="polite" aria-label="What you allow">
        Approve this, and let {scope} through without asking, until {until(now + ttl * 1000, now)}. Each one is put in your review queue.
      </p>
      {error ? <ErrorNote error={error} /> : null}
    </ConfirmDialog>
  );
}

/** Break-glass, as the agent asked for it: loud when it was used, with its justification and the review it owes. */
function BreakGlassCard({ action, now }: { action: Action; now: number }) {
  const bg = action.breakGlass!;
  if (!bg.used) {
    const why = action.statusReason === 'BREAK_GLASS_LIMIT' ? 'the agent had already used it as often as its policy allows today'
      : action.statusReason === 'BREAK_GLASS_NOT_ALLOWED' ? 'its policy does not allow break-glass'
        : 'it was not needed or not possible here (see the notes)';
    return (
      <section className="card" aria-labelledby="bg-title">
        <h2 id="bg-title">Break-glass asked for, not used</h2>
        <p>The agent asked to skip approval; it did not, because {why}.</p>
        <blockquote className="justification">{bg.justification}</blockquote>
      </section>
    );
  }
  const reviewed = action.reviewStatus && action.reviewStatus !== 'UNREVIEWED';
  return (
    <section className="card break-glass-card" aria-labelledby="bg-title">
      <h2 id="bg-title"><span className="badge break-glass">Break-glass</span> Approved without waiting for a person</h2>
      <p>{action.agent.name} broke the glass: the request was approved at once and ran. It must be reviewed.</p>
      <figure className="justification-figure">
        <blockquote className="justification">{bg.justification}</blockquote>
        <figcaption className="muted small">The agent's justification</figcaption>
      </figure>
      <p className="review-due">
        {reviewed ? <>Review: <strong>{words(action.reviewStatus)}</strong></>
          : bg.reviewOverdueSince ? <strong>Review overdue since {dateTime(bg.reviewOverdueSince)}</strong>
            : <>Review due <Countdown deadline={action.deadline} now={now} /></>}
      </p>
    </section>
  );
}

/** A request a standing approval let through: whose, and within what. */
function GrantedCard({ action, grant, now, mayOpen }: { action: Action; grant: NonNullable<Action['grant']>; now: number; mayOpen: boolean }) {
  return (
    <section className="card granted-card" aria-labelledby="granted-title">
      <h2 id="granted-title">Approved by grant</h2>
      <p>
        Nobody was asked{action.decidedAt ? ` (${dateTime(action.decidedAt)})` : ''}: a standing approval {grant.grantedBy.name} gave let it through.{' '}
        {mayOpen ? <Link href={`/grants?grant=${grant.id}`}>Open {grant.grantedBy.name}'s grant</Link> : null}
      </p>
      <GrantTerms grant={grant} now={now} covers />
    </section>
  );
}

const REASON_TEXT: Record<string, string> = {
  GRANTED: 'Approved at once by a standing approval (grant).',
  BREAK_GLASS: 'Approved at once through break-glass; a review follows.',
  BREAK_GLASS_LIMIT: 'Break-glass refused: the agent used it as often as its policy allows today.',
  BREAK_GLASS_NOT_ALLOWED: 'Break-glass refused: its policy does not allow it.',
};

function Outcome({ action }: { action: Action }) {
  const changedPayload = action.approvedPayload !== undefined && action.approvedPayload !== null && prettyJson(action.approvedPayload) !== prettyJson(action.payload);
  return (
    <section className="card" aria-labelledby="outcome-title">
      <h2 id="outcome-title">{words(action.status)}{action.decidedAt ? ` ${dateTime(action.decidedAt)}` : ''}</h2>
      {action.statusReason ? <p className="muted">{REASON_TEXT[action.statusReason] ?? words(action.statusReason)}</p> : null}
      {changedPayload ? (<><p>Approved with an edited payload:</p><JsonDiff before={action.payload} after={action.approvedPayload} label="Approved payload changes" /></>) : null}
      {action.mode === 'ASYNC_REVIEW' || action.reviewStatus ? <p>Review: {words(action.reviewStatus ?? 'UNREVIEWED')}</p> : null}
      {action.outcome ? <p>Outcome reported: <strong>{words(action.outcome.status)}</strong>{action.outcome.detail ? ` — ${action.outcome.detail}` : ''}</p> : null}
    </section>
  );
}

function Revision({ action }: { action: Action }) {
  const r = action.revisionChanges!;
  return (
    <section className="card" aria-labelledby="revision-title">
      <h2 id="revision-title">What this revision changed</h2>
      {action.revisionOf ? <p>Revises <Link href={`/actions/${action.revisionOf.id}`}>{action.revisionOf.summary}</Link> ({words(action.revisionOf.status)}).</p> : null}
      {r.requestedChanges ? <p>{r.requestedChanges.approver.name} asked: <q>{r.requestedChanges.comment}</q></p> : null}
      {r.followsSuggestion !== null && r.followsSuggestion !== undefined ? <p>{r.followsSuggestion ? 'The new payload is exactly the one suggested.' : 'The new payload differs from the one suggested.'}</p> : null}
      {r.fields.length || r.payload.length ? (
        <table className="table">
          <thead><tr><th scope="col">Where</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
          <tbody>
            {r.fields.map((f, i) => <tr key={`f${i}`}><td>{f.field}</td><td><code className="wrap">{JSON.stringify(f.before)}</code></td><td><code className="wrap">{JSON.stringify(f.after)}</code></td></tr>)}
            {r.payload.map((p, i) => <tr key={`p${i}`}><td>payload{p.path ? `.${p.path}` : ''} <span className="muted">({words(p.change)})</span></td><td><code className="wrap">{JSON.stringify(p.before)}</code></td><td><code className="wrap">{JSON.stringify(p.after)}</code></td></tr>)}
          </tbody>
        </table>
      ) : <p className="muted">Nothing changed.</p>}
      {r.payloadTruncated ? <p className="muted">More payload changes than listed.</p> : null}
    </section>
  );
}

function AgentCard({ action }: { action: Action }) {
  const a = action.agent;
  const b = a.baseline;
  return (
    <section className="card" aria-labelledby="agent-title">
      <h2 id="agent-title">The agent: {a.name}</h2>
      {a.description ? <p className="muted">{a.description}</p> : null}
      <dl className="kv compact">
        <div><dt>Usual rate</dt><dd>{b.actionsPerHour === null || b.actionsPerHour === undefined ? 'Not enough history' : `${b.actionsPerHour.toFixed(1)} an hour`} · {b.requestsLastHour} in the last hour</dd></div>
        <div><dt>Approved by people</dt><dd>{b.humanDecisions ? `${percent(b.approvalRate)} of ${b.humanDecisions} decided` : 'Nothing decided by people yet'}</dd></div>
        <div><dt>Flagged in review</dt><dd>{b.reviewed ? `${percent(b.flagRate)} of ${b.reviewed} reviewed` : 'Nothing reviewed yet'}</dd></div>
        <div><dt>Blocked / expired</dt><dd>{b.blocked} / {b.expired}</dd></div>
        {b.usualAmounts.slice(0, 3).map((u) => (
          <div key={`${u.type}${u.currency}`}><dt>Usual {u.type}</dt><dd>{money({ value: u.p50, currency: u.currency })} typical, {money({ value: u.p95, currency: u.currency })} high</dd></div>
        ))}
      </dl>
      <h3>Recent requests</h3>
      {a.recentActions.length === 0 ? <p className="muted">None before this one.</p> : (
        <ul className="plain small">
          {a.recentActions.filter((r) => r.id !== action.id).map((r) => (
            <li key={r.id}><Link href={`/actions/${r.id}`}>{r.summary}</Link> <span className="muted">· {words(r.status)} · {words(r.risk.level)} risk</span></li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Similar({ action }: { action: Action }) {
  // Precedent is how earlier requests ended: those still waiting say nothing yet.
  const all = [
    ...action.similar.sameAgent.map((s) => ({ ...s, who: action.agent.name })),
    ...action.similar.otherAgents.map((s) => ({ ...s, who: s.agent.name })),
  ].filter((s) => s.id !== action.id);
  const ended = all.filter((s) => s.status !== 'PENDING');
  const waiting = all.length - ended.length;
  return (
    <section className="card" aria-labelledby="similar-title">
      <h2 id="similar-title">Similar past requests</h2>
      {waiting ? <p className="muted small">{waiting === 1 ? 'One more like it is' : `${waiting} more like it are`} waiting too.</p> : null}
      {ended.length === 0 ? <Empty title="No precedent.">No earlier request of this type has ended yet.</Empty> : (
        <ul className="plain small">
          {ended.map((s) => (
            <li key={s.id}>
              <Link href={`/actions/${s.id}`}>{s.summary}</Link>
              <span className="muted"> · {s.who} · <strong>{words(s.status)}</strong>{s.decisions[0] ? ` by ${s.decisions.map((d) => d.approver.name).join(', ')}` : ''}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function nameIndex(action: Action): Map<string, string> {
  const names = new Map<string, string>([[action.agent.id, action.agent.name]]);
  for (const a of action.assignees) {
    names.set(a.approver.id, a.approver.name);
    if (a.onBehalfOf) names.set(a.onBehalfOf.id, a.onBehalfOf.name);
  }
  for (const d of [...action.decisions, ...action.reviews]) {
    names.set(d.approver.id, d.approver.name);
    if (d.onBehalfOf) names.set(d.onBehalfOf.id, d.onBehalfOf.name);
  }
  return names;
}

/** `[{approverId}]` (or ids) of an assignment event, as names where the page knows them. */
function assigneeNames(value: unknown, names: Map<string, string>): string | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const ids = value.map((v) => (typeof v === 'string' ? v : (v as { approverId?: string })?.approverId)).filter((id): id is string => !!id);
  const known = ids.map((id) => names.get(id)).filter((n): n is string => !!n);
  if (known.length === 0) return `${ids.length} approver${ids.length === 1 ? '' : 's'}`;
  const rest = ids.length - known.length;
  return known.join(', ') + (rest ? ` and ${rest} more` : '');
}

const EVENT_TEXT: Record<string, string> = {
  ACTION_SUBMITTED: 'asked',
  ACTION_ASSIGNED: 'Assigned',
  ASSIGNEES_CHANGED: 'Assignees changed',
  ESCALATED: 'Escalated',
  ACTION_DECIDED: 'gave a verdict',
  ACTION_APPROVED: 'Approved',
  ACTION_DENIED: 'Denied',
  ACTION_CHANGES_REQUESTED: 'Changes requested',
  ACTION_EXPIRED: 'Expired: nobody decided in time',
  ACTION_CANCELLED: 'cancelled it',
  ACTION_ACKNOWLEDGED: 'acknowledged it',
  ACTION_FLAGGED: 'flagged it',
  OUTCOME_REPORTED: 'reported the outcome',
  BREAK_GLASS_USED: 'broke the glass; review sent',
  BREAK_GLASS_REFUSED: 'asked to break the glass: refused',
};

function Timeline({ action, names }: { action: Action; names: Map<string, string> }) {
  return (
    <section className="card" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <ol className="timeline">
        {action.auditTrail.map((e) => {
          const data = (e.data ?? {}) as Record<string, unknown>;
          const actor = e.actorId ? names.get(e.actorId) ?? words(e.actorType) : e.actorType === 'SYSTEM' ? null : words(e.actorType);
          const granted = e.kind === 'ACTION_APPROVED' && data.reason === 'GRANTED';
          const text = granted ? `Approved by grant${typeof data.uses === 'number' ? ` (use ${data.uses}${typeof data.maxUses === 'number' ? ` of ${data.maxUses}` : ''})` : ''}` : EVENT_TEXT[e.kind] ?? words(e.kind);
          const verdict = typeof data.verdict === 'string' ? `: ${words(data.verdict)}` : '';
          const comment = typeof data.comment === 'string' && data.comment ? data.comment : null;
          const to = assigneeNames(data.assignees, names);
          return (
            <li key={e.seq}>
              <time dateTime={e.at} className="muted small">{dateTime(e.at)}</time>
              <span>{actor && /^[a-z]/.test(text) ? <><strong>{actor}</strong> {text}</> : <>{text}{actor ? <> by <strong>{actor}</strong></> : null}</>}{verdict}{to ? ` to ${to}` : ''}</span>
              {comment ? <q className="block">{comment}</q> : null}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
