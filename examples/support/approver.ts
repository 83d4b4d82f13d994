/**
 * A person at the other end: an approver who works through their queue. In real life this
 * is someone in the `countersign` CLI or a dashboard; here a function decides, so the
 * examples run unattended.
 */
import { graphql } from './embedded.js';

export interface QueuedRequest {
  id: string;
  summary: string;
  type: string;
  payload: unknown;
  amount: { value: number; currency: string } | null;
  risk: { score: number; level: string };
  revisionOf: { id: string } | null;
}

export type Verdict =
  | { verdict: 'APPROVE'; comment?: string; modifiedPayload?: unknown }
  | { verdict: 'DENY'; comment: string }
  | { verdict: 'REQUEST_CHANGES'; comment: string; modifiedPayload?: unknown };

/**
 * Decides every request that reaches `approver`'s approval queue with `decide`, and
 * acknowledges what lands in their review queue, until `stop()`.
 */
export function workQueue(url: string, approver: { name: string; token: string }, decide: (request: QueuedRequest) => Verdict): { stop(): Promise<void> } {
  const call = graphql(url, approver.token);
  const seen = new Set<string>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const { approvalQueue, reviewQueue } = await call<{ approvalQueue: { nodes: QueuedRequest[] }; reviewQueue: { nodes: QueuedRequest[] } }>(
        `{ approvalQueue(first: 20) { nodes { ...Q } } reviewQueue(first: 20) { nodes { ...Q } } }
         fragment Q on ActionRequest { id summary type payload amount { value currency } risk { score level } revisionOf { id } }`,
      );
      for (const request of approvalQueue.nodes.filter((r) => !seen.has(r.id))) {
        seen.add(request.id);
        const verdict = decide(request);
        console.log(`    [${approver.name}] ${verdict.verdict} "${request.summary}"${verdict.comment ? `: ${verdict.comment}` : ''}`);
        await call('mutation($input: DecisionInput!) { decide(input: $input) { status } }', { input: { actionId: request.id, ...verdict } });
      }
      for (const request of reviewQueue.nodes.filter((r) => !seen.has(r.id))) {
        seen.add(request.id);
        console.log(`    [${approver.name}] reviews afterwards and acknowledges "${request.summary}"`);
        await call('mutation($input: ReviewInput!) { review(input: $input) { reviewStatus } }', { input: { actionId: request.id, verdict: 'ACKNOWLEDGE' } });
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}
