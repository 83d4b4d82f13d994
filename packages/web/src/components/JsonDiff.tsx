import { diffLines } from 'diff';
import { prettyJson } from '../format.js';

/** A line diff of two JSON values (keys sorted), as a review tool shows it. */
export function JsonDiff({ before, after, label }: { before: unknown; after: unknown; label: string }) {
  const parts = diffLines(prettyJson(before), prettyJson(after));
  const changed = parts.some((p) => p.added || p.removed);
  if (!changed) return <p className="muted">No change to the payload.</p>;
  return (
    <pre className="diff" aria-label={label} tabIndex={0}>
      {parts.flatMap((part, i) =>
        part.value.replace(/\n$/, '').split('\n').map((line, j) => (
          <span key={`${i}-${j}`} className={part.added ? 'add' : part.removed ? 'del' : 'same'}>
            <span aria-hidden="true">{part.added ? '+ ' : part.removed ? '− ' : '  '}</span>
            <span className="visually-hidden">{part.added ? 'added: ' : part.removed ? 'removed: ' : ''}</span>
            {line}
            {'\n'}
          </span>
        )),
      )}
    </pre>
  );
}

/** A JSON value readably: top-level keys as a definition list, nested values as JSON. */
export function ReadableJson({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <p className="muted">None.</p>;
  if (typeof value !== 'object' || Array.isArray(value)) return <pre className="code-block">{prettyJson(value)}</pre>;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return <p className="muted">Empty.</p>;
  return (
    <dl className="kv">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v !== null && typeof v === 'object' ? <code className="wrap">{JSON.stringify(v)}</code> : String(v)}</dd>
        </div>
      ))}
    </dl>
  );
}
