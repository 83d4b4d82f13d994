import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../gql/index.js';
import { dateTime } from '../format.js';
import { Empty, ErrorNote, Loading } from '../components/ui.js';

const DelegationsQuery = graphql(`
  query Delegations {
    me { id roles kind }
    approvers(first: 500) { nodes { id name roles active } }
    delegations(first: 100) {
      nodes { id startsAt endsAt roles actionTypes reason active revokedAt from { id name } to { id name } }
    }
  }
`);

const CreateDelegation = graphql(`
  mutation CreateDelegation($input: DelegationInput!) {
    createDelegation(input: $input) { id }
  }
`);

const RevokeDelegation = graphql(`
  mutation RevokeDelegation($id: ID!) {
    revokeDelegation(id: $id) { id revokedAt }
  }
`);

/** A `datetime-local` value for a date, in the browser's time zone. */
function localInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** `/delegations`: "I'm away from … to … for these roles", the list, and revoke. */
export default function Delegations({ admin }: { admin: boolean }) {
  const [result, refetch] = useQuery({ query: DelegationsQuery, requestPolicy: 'cache-and-network' });
  const [created, create] = useMutation(CreateDelegation);
  const [revoked, revoke] = useMutation(RevokeDelegation);
  const [from, setFrom] = useState(() => localInput(new Date()));
  const [until, setUntil] = useState(() => localInput(new Date(Date.now() + 7 * 86_400_000)));
  const [to, setTo] = useState('');
  const [delegator, setDelegator] = useState('');
  const [roles, setRoles] = useState<Set<string>>(new Set());
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const reload = () => refetch({ requestPolicy: 'network-only' });

  if (!result.data) return result.error ? <ErrorNote error={result.error} retry={reload} /> : <Loading what="Loading delegations" />;
  const { me, approvers, delegations } = result.data;
  const people = approvers.nodes.filter((a) => a.active && a.id !== me.id);
  const ownerRoles = admin ? approvers.nodes.find((a) => a.id === delegator)?.roles ?? [] : me.roles;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    setDone(null);
    if (!to) return setProblem('Choose who decides in your place.');
    if (admin && !delegator) return setProblem('Choose whose approvals are handed over.');
    const startsAt = from ? new Date(from) : new Date();
    const endsAt = until ? new Date(until) : null;
    if (endsAt && endsAt <= startsAt) return setProblem('The end must be after the start.');
    const result = await create({
      input: {
        toApproverId: to,
        fromApproverId: admin ? delegator : undefined,
        startsAt: startsAt.toISOString(),
        endsAt: endsAt?.toISOString(),
        roles: roles.size ? [...roles] : undefined,
        reason: reason.trim() || undefined,
      },
    });
    if (!result.error) {
      setDone(`Delegated to ${people.find((p) => p.id === to)?.name ?? 'them'}.`);
      setReason('');
      setRoles(new Set());
      reload();
    }
  }

  return (
    <section aria-labelledby="delegations-title">
      <div className="page-head">
        <h1 id="delegations-title">Delegations</h1>
        <p className="muted">While you are away, someone you trust decides in your place. Requests already waiting move to them when it starts, and back when it ends.</p>
      </div>
      <form className="card form" onSubmit={submit} aria-label="New delegation">
        <h2>{admin ? 'Hand over someone’s approvals' : 'I’m away'}</h2>
        {admin ? (
          <div className="field">
            <label htmlFor="deleg-owner">Whose approvals</label>
            <select id="deleg-owner" value={delegator} onChange={(e) => setDelegator(e.target.value)}>
              <option value="">Choose an approver</option>
              {approvers.nodes.filter((a) => a.active).map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
            </select>
          </div>
        ) : null}
        <div className="grid2">
          <div className="field">
            <label htmlFor="deleg-from">Away from</label>
            <input id="deleg-from" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="deleg-until">Back on</label>
            <input id="deleg-until" type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} />
          </div>
        </div>
        <div className="field">
          <label htmlFor="deleg-to">Who decides in my place</label>
          <select id="deleg-to" value={to} onChange={(e) => setTo(e.target.value)}>
            <option value="">Choose an approver</option>
            {people.filter((p) => p.id !== delegator).map((p) => <option key={p.id} value={p.id}>{p.name}{p.roles.length ? ` (${p.roles.join(', ')})` : ''}</option>)}
          </select>
        </div>
        {ownerRoles.length ? (
          <fieldset className="field">
            <legend>For these roles (none checked: all of them)</legend>
            <div className="row wrap">
              {ownerRoles.map((r) => (
                <label key={r} className="check">
                  <input type="checkbox" checked={roles.has(r)} onChange={(e) => setRoles((s) => { const n = new Set(s); if (e.target.checked) n.add(r); else n.delete(r); return n; })} /> {r}
                </label>
              ))}
            </div>
          </fieldset>
        ) : null}
        <div className="field">
          <label htmlFor="deleg-reason">Reason</label>
          <input id="deleg-reason" type="text" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. on leave until the 14th" />
        </div>
        {problem ? <p className="field-error" role="alert">{problem}</p> : null}
        {created.error ? <ErrorNote error={created.error} /> : null}
        {done ? <p className="note success" role="status">{done}</p> : null}
        <button type="submit" className="button primary" disabled={created.fetching}>Delegate</button>
      </form>

      <h2>Current and past delegations</h2>
      {revoked.error ? <ErrorNote error={revoked.error} /> : null}
      {delegations.nodes.length === 0 ? <Empty title="No delegations.">When you hand over your approvals, or someone hands theirs to you, it shows here.</Empty> : (
        <ul className="list" aria-label="Delegations">
          {delegations.nodes.map((d) => (
            <li key={d.id} className="item">
              <div className="row wrap spread">
                <span className="item-title">{d.from.name} → {d.to.name}</span>
                <span className={`badge ${d.active ? 'status-approved' : ''}`}>{d.revokedAt ? 'Revoked' : d.active ? 'In force' : new Date(d.startsAt) > new Date() ? 'Scheduled' : 'Ended'}</span>
              </div>
              <div className="item-meta">
                <span>{dateTime(d.startsAt)} – {d.endsAt ? dateTime(d.endsAt) : 'until revoked'}</span>
                <span className="muted">{d.roles?.length ? `Roles: ${d.roles.join(', ')}` : 'All roles'}</span>
                {d.reason ? <span className="muted">{d.reason}</span> : null}
              </div>
              {!d.revokedAt && (!d.endsAt || new Date(d.endsAt) > new Date()) ? (
                <button type="button" className="button small" onClick={async () => { await revoke({ id: d.id }); reload(); }} aria-label={`Revoke the delegation from ${d.from.name} to ${d.to.name}`}>
                  Revoke
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
