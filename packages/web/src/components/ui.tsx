import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { CombinedError } from 'urql';
import { countdown, riskLabel, type RiskLevel } from '../format.js';

/** The current time, ticking every second: countdowns share one clock per component. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/**
 * Calls `refresh` every `intervalMs` while the page is in view, and at once when it comes
 * back into view: for lists that change without a push of their own (grants' uses).
 */
export function useRefreshWhileVisible(refresh: () => void, intervalMs: number): void {
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') latest.current();
    }, intervalMs);
    const onVisible = () => {
      if (document.visibilityState === 'visible') latest.current();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [intervalMs]);
}

/** Risk as colour and words, never colour alone. */
export function RiskBadge({ level, score }: { level: RiskLevel; score?: number }) {
  return (
    <span className={`badge risk-${level.toLowerCase()}`}>
      {riskLabel[level]} risk{score === undefined ? '' : ` · ${score}`}
    </span>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-${status.toLowerCase()}`}>{status.charAt(0) + status.slice(1).toLowerCase().replace(/_/g, ' ')}</span>;
}

export function Countdown({ deadline, now }: { deadline: string | null | undefined; now: number }) {
  const overdue = deadline ? new Date(deadline).getTime() < now : false;
  const soon = deadline ? new Date(deadline).getTime() - now < 5 * 60_000 : false;
  return (
    <time dateTime={deadline ?? undefined} className={overdue ? 'deadline overdue' : soon ? 'deadline soon' : 'deadline'} title={deadline ? new Date(deadline).toLocaleString() : undefined}>
      {countdown(deadline, now)}
    </time>
  );
}

export function Quorum({ given, required }: { given: number; required: number }) {
  return (
    <span className="quorum">
      <progress max={required} value={Math.min(given, required)} aria-label={`${given} of ${required} approvals`} />
      <span>
        {given} of {required} approval{required === 1 ? '' : 's'}
      </span>
    </span>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children ? <p className="muted">{children}</p> : null}
    </div>
  );
}

export function ErrorNote({ error, retry }: { error: CombinedError | Error | string; retry?: () => void }) {
  const message = typeof error === 'string' ? error : 'graphQLErrors' in error && error.graphQLErrors.length ? error.graphQLErrors.map((e) => e.message).join(' ') : error.message.replace(/^\[\w+\]\s*/, '');
  return (
    <div role="alert" className="note error">
      <span>{message}</span>
      {retry ? (
        <button type="button" className="button small" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="muted loading" role="status">
      {what}…
    </p>
  );
}

/**
 * A modal dialog (the native <dialog>: focus is trapped and Escape cancels). The
 * confirming button repeats the verdict, as DESIGN §10 asks.
 */
export function ConfirmDialog({ title, confirmLabel, tone = 'primary', busy, onConfirm, onCancel, children }: {
  title: string;
  confirmLabel: string;
  tone?: 'primary' | 'danger';
  busy?: boolean;
  onConfirm(): void;
  onCancel(): void;
  children?: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="dialog-title" onCancel={(e) => { e.preventDefault(); onCancel(); }}>
      <h2 id="dialog-title">{title}</h2>
      <div className="dialog-body">{children}</div>
      <div className="row end">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className={`button ${tone}`} onClick={onConfirm} disabled={busy} autoFocus>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** True when a key press belongs to a text field, not to the page's shortcuts. */
export function typingIn(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  if (!target) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || !!target.closest('dialog');
}

/**
 * j/k move through a list, Enter opens the current item: `count` items, `open(i)` when
 * Enter is pressed. Returns the current index (−1: none yet) and a setter.
 */
export function useListKeys(count: number, open: (index: number) => void): [number, (i: number) => void] {
  const [index, setIndex] = useState(-1);
  const openRef = useRef(open);
  openRef.current = open;
  useEffect(() => {
    if (index >= count) setIndex(count - 1);
  }, [count, index]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (typingIn(event) || event.metaKey || event.ctrlKey || event.altKey) return;
      if (event.key === 'j') setIndex((i) => Math.min(count - 1, i + 1));
      else if (event.key === 'k') setIndex((i) => Math.max(0, i - 1));
      else if (event.key === 'Enter' && index >= 0 && !(event.target as HTMLElement).closest('a,button')) openRef.current(index);
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [count, index]);
  useEffect(() => {
    if (index < 0) return;
    const item = document.querySelector<HTMLElement>(`[data-index="${index}"]`);
    item?.scrollIntoView({ block: 'nearest' });
    item?.querySelector<HTMLElement>('a')?.focus({ preventScroll: true });
  }, [index]);
  return [index, setIndex];
}
