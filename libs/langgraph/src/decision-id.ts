// The decision id of an approval a graph asks for: derived from where in the graph it is
// asked, so a node that runs again (LangGraph re-executes an interrupted node from its start
// when it resumes, and retries a failed one) asks for the same decision, never a second one.
import { createHash, createHmac } from 'node:crypto';

export interface DecisionIdParts {
  /** `config.configurable.thread_id`: the graph's conversation. */
  threadId: string;
  /**
   * `config.configurable.checkpoint_ns` of the running node: `<node>:<task id>` (with the
   * parent graphs' namespaces before it in a subgraph). The task id is fixed for one run of a
   * node at one step, so a re-run of that node has the same one and a later run (a loop back to
   * the node) another.
   */
  checkpointNs: string;
  /** Tells apart several approvals asked for in one run of one node (default: the action). */
  key: string;
  /**
   * Makes the id unguessable: whoever publishes a proposal under an id first owns its outcome,
   * so with a secret no one who knows the thread id can propose (and have blocked) one of yours
   * first. Without it the id is a plain SHA-256 of the parts.
   */
  secret?: string | Uint8Array;
}

/**
 * A UUID (RFC 9562 version 8, the form the contract's `decision_id` takes) from the SHA-256
 * (an HMAC with `secret`) of the thread, the node's task namespace and the key: the same
 * parts give the same id, in any process.
 */
export function approvalDecisionId(parts: DecisionIdParts): string {
  if (!parts.threadId) throw new Error('approvalDecisionId: a thread_id is needed (config.configurable.thread_id)');
  if (!parts.checkpointNs) throw new Error('approvalDecisionId: a checkpoint namespace is needed (config.configurable.checkpoint_ns)');
  const text = JSON.stringify(['hitl.langgraph.approval.v1', parts.threadId, parts.checkpointNs, parts.key]);
  const digest = parts.secret === undefined ? createHash('sha256').update(text).digest() : createHmac('sha256', parts.secret).update(text).digest();
  const bytes = Buffer.from(digest.subarray(0, 16));
  bytes[6] = (bytes[6] & 0x0f) | 0x80; // version 8: custom
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // variant RFC 9562
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
