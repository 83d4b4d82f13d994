import { useCallback, useEffect, useLayoutEffect, useMemo, useState } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import { Link } from 'wouter';
import { graphql } from '../gql/index.js';
import type { ActionPageQuery } from '../gql/graphql.js';
import { dateTime, money, parseJson, percent, prettyJson, words } from '../format.js';
import { ConfirmDialog, Countdown, Empty, ErrorNote, Loading, Quorum, RiskBadge, StatusBadge, typingIn, useNow } from '../components/ui.js';
import { JsonDiff, ReadableJson } from '../components/JsonDiff.js';

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
      approvedPayload candidatePayload receipt
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

/** What an approval now approves: an approver's modification once one was made, else the submitted payload. */
function payloadUpForApproval(action: Action): unknown {
  return action.status === 'PENDING' && action.candidatePayload !== null && action.candidatePayload !== undefined ? action.candidatePayload : action.payload;
}
type Verdict = 'APPROVE' | 'DENY' | 'REQUEST_CHANGES';

/** `/actions/:id`: one request with everything needed to decide it, and the verdicts. */
export default function ActionPage({ id, canDecide }: { id: string; canDecide: boolean }) {
  const [result, refetch] = useQuery({ query: ActionQuery, variables: { id } });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
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
  return <ActionView action={action} canDecide={canDecide} />;
}

function ActionView({ action, canDecide }: { action: Action; canDecide: boolean }) {
  const now = useNow();
  const names = useMemo(() => nameIndex(action), [action]);
  // The server's count: one person, one vote, approvals of a superseded payload left out.
  const q = { given: action.approvals, required: action.requiredApprovals };
  const pending = action.status === 'PENDING' && action.mode === 'SYNC_APPROVAL';
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
          <span className="badge">{words(action.mode)}</span>
          {pending ? (
            <span>
              Due <Countdown deadline={action.deadline} now={now} />
            </span>
          ) : null}
          {action.mode === 'SYNC_APPROVAL' ? <Quorum {...q} /> : null}
        </div>
        <p className="muted">
          Asked by <strong>{action.agent.name}</strong> {dateTime(action.createdAt)}
          {action.agent.status === 'SUSPENDED' ? ' · agent suspended' : ''}
        </p>
      </header>

      <div className="columns">
        <div className="main-col">
          {pending && action.statusReason === 'QUORUM_UNREACHABLE' ? (
            <p role="alert" className="card warning">
              <strong>Nobody left can complete this approval.</strong> It needs {action.requiredApprovals} approvals, more than the people who may give them.
              {action.notes.length ? ` ${action.notes[action.notes.length - 1]}` : ''}
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
          {canDecide && pending ? <Verdicts key={prettyJson(payloadUpForApproval(action))} action={action} /> : null}
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
            <h2 id="people-title">Who decides</h2>
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

function Verdicts({ action }: { action: Action }) {
  const [comment, setComment] = useState('');
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(() => prettyJson(payloadUpForApproval(action)));
  const [confirm, setConfirm] = useState<Verdict | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [{ fetching, error }, decide] = useMutation(Decide);
  const parsed = editing ? parseJson(draft) : null;
  const edited = parsed?.ok && prettyJson(parsed.value) !== prettyJson(payloadUpForApproval(action)) ? parsed.value : undefined;

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
    // An approval of a changed payload names the version on screen: should another approver
    // change it again meanwhile, this vote does not count for a version this approver never saw.
    const shown = payloadUpForApproval(action);
    const changedOnScreen = prettyJson(shown) !== prettyJson(action.payload) ? shown : undefined;
    const modifiedPayload = verdict === 'DENY' ? undefined : edited ?? (verdict === 'APPROVE' ? changedOnScreen : undefined);
    // On success the live subscription turns the page to the outcome; on failure the error shows here.
    await decide({ input: { actionId: action.id, verdict, comment: comment.trim() || undefined, modifiedPayload } });
    setConfirm(null);
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
      {error ? <ErrorNote error={error} /> : null}
      <div className="row wrap verdicts">
        <button type="button" className="button primary" onClick={() => ask('APPROVE')} aria-keyshortcuts="a">Approve</button>
        <button type="button" className="button danger" onClick={() => ask('DENY')} aria-keyshortcuts="d">Deny</button>
        <button type="button" className="button" onClick={() => ask('REQUEST_CHANGES')}>Request changes</button>
        <span className="muted small hint"><kbd>a</kbd> approve · <kbd>d</kbd> deny</span>
      </div>
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

function Outcome({ action }: { action: Action }) {
  const changedPayload = action.approvedPayload !== undefined && action.approvedPayload !== null && prettyJson(action.approvedPayload) !== prettyJson(action.payload);
  return (
    <section className="card" aria-labelledby="outcome-title">
      <h2 id="outcome-title">{words(action.status)}{action.decidedAt ? ` ${dateTime(action.decidedAt)}` : ''}</h2>
      {action.statusReason ? <p className="muted">{words(action.statusReason)}</p> : null}
      {changedPayload ? (<><p>Approved with an edited payload:</p><JsonDiff before={action.payload} after={action.approvedPayload} label="Approved payload changes" /></>) : null}
      {action.mode === 'ASYNC_REVIEW' ? <p>Review: {words(action.reviewStatus ?? 'UNREVIEWED')}</p> : null}
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
};

function Timeline({ action, names }: { action: Action; names: Map<string, string> }) {
  return (
    <section className="card" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <ol className="timeline">
        {action.auditTrail.map((e) => {
          const data = (e.data ?? {}) as Record<string, unknown>;
          const actor = e.actorId ? names.get(e.actorId) ?? words(e.actorType) : e.actorType === 'SYSTEM' ? null : words(e.actorType);
          const text = EVENT_TEXT[e.kind] ?? words(e.kind);
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
