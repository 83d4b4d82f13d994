import { useState } from 'react';
import { useQuery } from 'urql';
import { diffLines } from 'diff';
import { graphql } from '../gql/index.js';
import { dateTime, words } from '../format.js';
import { Empty, ErrorNote, Loading } from '../components/ui.js';

const GovernanceQuery = graphql(`
  query GovernanceHistory {
    governance {
      version
      history { version document appliedBy appliedAt warnings changes { kind name op } }
    }
  }
`);

/** `/governance`: the versions applied, and what each changed against the one before. */
export default function Governance() {
  const [result, refetch] = useQuery({ query: GovernanceQuery, requestPolicy: 'cache-and-network' });
  const [open, setOpen] = useState<number | null>(null);
  if (!result.data) return result.error ? <ErrorNote error={result.error} retry={() => refetch({ requestPolicy: 'network-only' })} /> : <Loading what="Loading governance" />;
  const history = result.data.governance.history;
  const shown = open ?? history[0]?.version ?? null;
  return (
    <section aria-labelledby="gov-title">
      <div className="page-head">
        <h1 id="gov-title">Governance</h1>
        <p className="muted">In force: {result.data.governance.version ? `version ${result.data.governance.version}` : 'none yet'}. Apply changes with <code>pnpm countersign apply -f governance.yaml</code>.</p>
      </div>
      {history.length === 0 ? <Empty title="No governance applied yet." /> : (
        <ul className="list" aria-label="Versions">
          {history.map((v, i) => {
            const previous = history[i + 1];
            const expanded = shown === v.version;
            return (
              <li key={v.version} className="item">
                <div className="row wrap spread">
                  <span className="item-title">Version {v.version}</span>
                  <span className="muted">{dateTime(v.appliedAt)} · {v.appliedBy}</span>
                </div>
                <ul className="plain small">
                  {v.changes.map((c, j) => <li key={j}><span className={`badge op-${c.op.toLowerCase()}`}>{words(c.op)}</span> {c.kind} <code>{c.name}</code></li>)}
                </ul>
                {v.warnings.length ? <ul className="small warn">{v.warnings.map((w, j) => <li key={j}>{w}</li>)}</ul> : null}
                <button type="button" className="button small" aria-expanded={expanded} onClick={() => setOpen(expanded ? -1 : v.version)}>
                  {expanded ? 'Hide the diff' : `Show the diff against ${previous ? `version ${previous.version}` : 'nothing'}`}
                </button>
                {expanded ? <TextDiff before={previous?.document ?? ''} after={v.document} label={`Version ${v.version} against ${previous ? `version ${previous.version}` : 'nothing'}`} /> : null}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function TextDiff({ before, after, label }: { before: string; after: string; label: string }) {
  const parts = diffLines(before, after);
  return (
    <pre className="diff" aria-label={label} tabIndex={0}>
      {parts.flatMap((p, i) => p.value.replace(/\n$/, '').split('\n').map((line, j) => (
        <span key={`${i}-${j}`} className={p.added ? 'add' : p.removed ? 'del' : 'same'}>
          <span aria-hidden="true">{p.added ? '+ ' : p.removed ? '− ' : '  '}</span>{line}{'\n'}
        </span>
      )))}
    </pre>
  );
}
