// A decision's events as Server-Sent Events: frames and the order they come in. Pure.
import { DecisionView } from './decision-request';

/** One SSE frame: its event name and JSON data (one line: JSON.stringify escapes newlines). */
export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export const sseComment = (text: string) => `: ${text}\n\n`;

/** What the reader was told so far: the decision's status (null: nothing yet), and the questions. */
export interface Said {
  status: DecisionView['status'] | null;
  questions: ReadonlySet<string>;
}

export const NOTHING_SAID: Said = { status: null, questions: new Set() };

/**
 * What the stream says after seeing `view`, given what it `said`: each reviewer's question not
 * told yet (`clarification`), the decision when it is new to the reader or changed (pending, then
 * its outcome), and `end` once it has its outcome: nothing more will come.
 */
export function framesFor(said: Said, view: DecisionView): { frames: string[]; said: Said; done: boolean } {
  const fresh = view.clarifications.filter((c) => !said.questions.has(c.clarification_id));
  const frames = fresh.map((c) => sseFrame('clarification', { decision_id: view.decision_id, ...c }));
  if (said.status !== view.status) frames.push(sseFrame('decision', view));
  const done = view.status !== 'pending';
  if (done) frames.push(sseFrame('end', { decision_id: view.decision_id, status: view.status }));
  return { frames, said: { status: view.status, questions: new Set([...said.questions, ...fresh.map((c) => c.clarification_id)]) }, done };
}
