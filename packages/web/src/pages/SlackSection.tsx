import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../gql/index.js';
import { ErrorNote, Loading } from '../components/ui.js';

const MySlack = graphql(`
  query MySlack {
    me { kind approver { id slackUserId } }
  }
`);

const SetMySlack = graphql(`
  mutation SetMySlack($id: ID!, $input: UpdateApproverInput!) {
    updateApprover(id: $id, input: $input) { id slackUserId }
  }
`);

/** As the server checks it: `U…` (or `W…` on Enterprise Grid), capitals and digits. */
const MEMBER_ID = /^[UW][A-Z0-9]{2,31}$/;

/**
 * The Slack part of Settings: an approver links their own Slack account (their member id),
 * so that requests assigned to them arrive as Slack direct messages with Approve, Deny and
 * Open (DESIGN §14). Admins link other approvers with the CLI.
 */
export function SlackSection() {
  const [result, refetch] = useQuery({ query: MySlack, requestPolicy: 'cache-and-network' });
  const [saved, save] = useMutation(SetMySlack);
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const current = result.data?.me.approver?.slackUserId ?? null;
  useEffect(() => setValue(current ?? ''), [current]);

  if (!result.data) return result.error ? <ErrorNote error={result.error} retry={() => refetch({ requestPolicy: 'network-only' })} /> : <Loading what="Loading your Slack link" />;
  const approver = result.data.me.approver;

  async function change(slackUserId: string | null) {
    setProblem(null);
    setDone(null);
    if (!approver) return;
    const outcome = await save({ id: approver.id, input: { slackUserId } });
    if (!outcome.error) setDone(slackUserId ? `Linked to Slack member ${slackUserId}. Requests assigned to you now arrive in Slack.` : 'Unlinked: Slack messages stop.');
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const id = value.trim();
    if (!id) return void change(null);
    if (!MEMBER_ID.test(id)) return setProblem('That is not a Slack member id: it looks like U012ABCDEF (in Slack, open your profile, ⋮, "Copy member ID").');
    void change(id);
  }

  return (
    <section className="card form" aria-labelledby="slack-title">
      <h2 id="slack-title">Slack</h2>
      {approver ? (
        <form onSubmit={submit} aria-label="Slack">
          <p className="muted">
            Link your Slack account and requests assigned to you arrive as a direct message from the Countersign app, with Approve, Deny and Open. Critical requests and those needing several approvals offer Open only.
          </p>
          <div className="field">
            <label htmlFor="slack-member-id">Slack member ID</label>
            <input id="slack-member-id" type="text" value={value} onChange={(e) => setValue(e.target.value)} placeholder="e.g. U012ABCDEF" autoComplete="off" spellCheck={false} aria-describedby="slack-member-id-help" />
            <p id="slack-member-id-help" className="muted small">In Slack: your profile, ⋮ (More), “Copy member ID”.</p>
          </div>
          {problem ? <p className="field-error" role="alert">{problem}</p> : null}
          {saved.error ? <ErrorNote error={saved.error} /> : null}
          {done ? <p className="note success" role="status">{done}</p> : null}
          <div className="row wrap">
            <button type="submit" className="button primary" disabled={saved.fetching}>Save</button>
            {current ? (
              <button type="button" className="button" disabled={saved.fetching} onClick={() => void change(null)}>
                Unlink Slack
              </button>
            ) : null}
          </div>
        </form>
      ) : (
        <p className="muted">Admins link an approver’s Slack account with <code>countersign approvers update &lt;approver&gt; --slack-user-id &lt;id&gt;</code>.</p>
      )}
    </section>
  );
}
