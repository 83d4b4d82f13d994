import { Component, Suspense, lazy, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Provider } from 'urql';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { createGraphqlClient } from './client.js';
import { currentSession, ServerUnreachableError, signOut, takeSsoRefusal, type SessionPrincipal } from './session.js';
import { SignIn } from './pages/SignIn.js';
import { Queue } from './pages/Queue.js';
import { Loading } from './components/ui.js';
import { LiveQueue } from './live.js';

// Everything but sign-in and the queue loads on demand: the approver's first screen stays small.
const ActionPage = lazy(() => import('./pages/Action.js'));
const Reviews = lazy(() => import('./pages/Reviews.js'));
const Delegations = lazy(() => import('./pages/Delegations.js'));
const History = lazy(() => import('./pages/History.js'));
const Settings = lazy(() => import('./pages/Settings.js'));
const Grants = lazy(() => import('./pages/Grants.js'));
const Oversight = lazy(() => import('./admin/Oversight.js'));
const Agents = lazy(() => import('./admin/Agents.js'));
const Deliveries = lazy(() => import('./admin/Deliveries.js'));
const Audit = lazy(() => import('./admin/Audit.js'));
const GovernancePage = lazy(() => import('./admin/Governance.js'));

const EXPIRED = 'Your session has ended. Sign in again to continue.';

type State = { phase: 'loading' } | { phase: 'signed-out'; reason?: string } | { phase: 'signed-in'; principal: SessionPrincipal };

export function App() {
  const [state, setState] = useState<State>({ phase: 'loading' });
  const [reachable, setReachable] = useState(true);
  // Why single sign-on came back without a session, if it did: read once, then out of the address.
  const [ssoRefusal, setSsoRefusal] = useState(takeSsoRefusal);

  const check = useCallback(async () => {
    try {
      const principal = await currentSession();
      setReachable(true);
      setState((s) => (principal ? { phase: 'signed-in', principal } : s.phase === 'signed-out' ? s : s.phase === 'signed-in' ? { phase: 'signed-out', reason: EXPIRED } : { phase: 'signed-out' }));
    } catch (error) {
      if (error instanceof ServerUnreachableError) setReachable(false);
      else throw error;
    }
  }, []);

  useEffect(() => void check(), [check]);

  // While the server is unreachable, look again every few seconds; the banner says so.
  useEffect(() => {
    if (reachable) return;
    const timer = setInterval(() => void check(), 3000);
    return () => clearInterval(timer);
  }, [reachable, check]);

  const expired = useCallback(() => setState({ phase: 'signed-out', reason: EXPIRED }), []);

  return (
    <>
      {reachable ? null : (
        <div className="banner" role="alert">
          <span>Countersign can't be reached. Retrying…</span>
          <button type="button" className="button small" onClick={() => void check()}>
            Retry now
          </button>
        </div>
      )}
      {state.phase === 'loading' ? (
        reachable ? <Loading /> : null
      ) : state.phase === 'signed-out' ? (
        <SignIn reason={state.reason} ssoRefusal={ssoRefusal} onSignedIn={(principal) => { setReachable(true); setSsoRefusal(null); setState({ phase: 'signed-in', principal }); }} onUnreachable={() => setReachable(false)} />
      ) : (
        <SignedIn
          principal={state.principal}
          reachable={reachable}
          onPageFailed={() => void check()}
          onExpired={expired}
          onReachable={setReachable}
          onSignOut={async () => {
            const leaving = await signOut().catch(() => false);
            setSsoRefusal(null);
            // On the way to the provider's sign-out: the session is over, but no sign-in form flashes up first.
            if (!leaving) setState({ phase: 'signed-out' });
          }}
        />
      )}
    </>
  );
}

function SignedIn({ principal, reachable, onPageFailed, onExpired, onReachable, onSignOut }: { principal: SessionPrincipal; reachable: boolean; onPageFailed(): void; onExpired(): void; onReachable(r: boolean): void; onSignOut(): void }) {
  const [location] = useLocation();
  const [connections, setConnections] = useState(0);
  const { client, dispose } = useMemo(
    () => createGraphqlClient({ onUnauthenticated: onExpired, onReachable, onConnected: () => setConnections((n) => n + 1) }),
    [onExpired, onReachable],
  );
  useEffect(() => dispose, [dispose]);
  const admin = principal.kind === 'ADMIN';
  return (
    <Provider value={client}>
      <MaybeLive live={!admin} connections={connections}>
      <Shell principal={principal} onSignOut={onSignOut}>
        <PageBoundary key={location} reachable={reachable} onFail={onPageFailed}>
        <Suspense fallback={<Loading />}>
          <Switch>
            <Route path="/">{admin ? <Redirect to="/oversight" replace /> : <Queue />}</Route>
            <Route path="/actions/:id">{(params) => <ActionPage id={params.id} canDecide={!admin} myId={principal.id} />}</Route>
            <Route path="/reviews">{admin ? <AdminOnlyNote what="The review queue" /> : <Reviews />}</Route>
            <Route path="/grants"><Grants admin={admin} /></Route>
            <Route path="/delegations"><Delegations admin={admin} /></Route>
            <Route path="/history">{admin ? <AdminOnlyNote what="Your history" /> : <History myId={principal.id} />}</Route>
            <Route path="/settings"><Settings /></Route>
            <Route path="/oversight">{admin ? <Oversight /> : <NotForYou />}</Route>
            <Route path="/agents">{admin ? <Agents /> : <NotForYou />}</Route>
            <Route path="/deliveries">{admin ? <Deliveries /> : <NotForYou />}</Route>
            <Route path="/audit">{admin ? <Audit /> : <NotForYou />}</Route>
            <Route path="/governance">{admin ? <GovernancePage /> : <NotForYou />}</Route>
            <Route>
              <h1>Page not found</h1>
              <p>
                <Link href="/">Go to the start page</Link>
              </p>
            </Route>
          </Switch>
        </Suspense>
        </PageBoundary>
      </Shell>
      </MaybeLive>
    </Provider>
  );
}

/**
 * A page whose code could not be loaded (the server went away between pages) or that
 * failed to render: says so instead of a blank screen, and reloads once the server is
 * back (a failed lazy import is not retried by React).
 */
class PageBoundary extends Component<{ reachable: boolean; onFail(): void; children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override componentDidCatch() {
    this.props.onFail();
  }
  override componentDidUpdate(previous: { reachable: boolean }) {
    if (this.state.error && !previous.reachable && this.props.reachable) window.location.reload();
  }
  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <section>
        <h1>This page could not be loaded</h1>
        <p className="muted">{this.props.reachable ? 'Something went wrong while showing it.' : 'Countersign cannot be reached; the page opens again as soon as it is back.'}</p>
        <button type="button" className="button" onClick={() => window.location.reload()}>
          Reload
        </button>
      </section>
    );
  }
}

/** Approvers have queues to keep live; admins do not. */
function MaybeLive({ live, connections, children }: { live: boolean; connections: number; children: ReactNode }) {
  return live ? <LiveQueue connections={connections}>{children}</LiveQueue> : <>{children}</>;
}

function NotForYou() {
  return (
    <section>
      <h1>For admins only</h1>
      <p className="muted">This page is for admins. Your approval queue is on the start page.</p>
    </section>
  );
}

function AdminOnlyNote({ what }: { what: string }) {
  return (
    <section>
      <h1>{what}</h1>
      <p className="muted">This page is for approvers; admins oversee from Oversight.</p>
    </section>
  );
}

function Shell({ principal, onSignOut, children }: { principal: SessionPrincipal; onSignOut(): void; children: React.ReactNode }) {
  const [location] = useLocation();
  const admin = principal.kind === 'ADMIN';
  const links = admin
    ? [['/oversight', 'Oversight'], ['/agents', 'Agents'], ['/grants', 'Grants'], ['/deliveries', 'Deliveries'], ['/audit', 'Audit'], ['/governance', 'Governance'], ['/delegations', 'Delegations']]
    : [['/', 'Queue'], ['/reviews', 'Review'], ['/grants', 'Grants'], ['/delegations', 'Delegations'], ['/history', 'History'], ['/settings', 'Settings']];
  return (
    <div className="shell">
      <header className="topbar">
        <Link href="/" className="brand">
          Countersign
        </Link>
        <nav aria-label="Main">
          <ul>
            {links.map(([href, label]) => {
              const current = href === '/' ? location === '/' : location.startsWith(href);
              return (
                <li key={href}>
                  <Link href={href} aria-current={current ? 'page' : undefined}>
                    {label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="who">
          <span className="muted who-name">{principal.name}</span>
          <button type="button" className="button small" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main>{children}</main>
    </div>
  );
}
