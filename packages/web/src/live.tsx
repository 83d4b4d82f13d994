import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useSubscription } from 'urql';
import { graphql } from './gql/index.js';

const QueueUpdates = graphql(`
  subscription QueueUpdates {
    approvalQueueUpdated { actionId inQueue }
  }
`);

const QueueVersion = createContext(0);

/**
 * One subscription to my queues for the whole session, not one per page: a page that
 * subscribed only when opened would miss what changed while it was being set up. Every
 * change, and every (re)connection of the socket, bumps a version the queue pages re-read on.
 */
export function LiveQueue({ connections, children }: { connections: number; children: ReactNode }) {
  const [version, setVersion] = useState(0);
  useSubscription({ query: QueueUpdates }, (_, event) => {
    setVersion((v) => v + 1);
    return event;
  });
  useEffect(() => {
    if (connections > 0) setVersion((v) => v + 1);
  }, [connections]);
  return <QueueVersion.Provider value={version}>{children}</QueueVersion.Provider>;
}

/** Calls `reload` whenever my queues may have changed (not on first render). */
export function useQueueChanges(reload: () => void): void {
  const version = useContext(QueueVersion);
  const first = useRef(version);
  useEffect(() => {
    if (version !== first.current) reload();
  }, [version, reload]);
}
