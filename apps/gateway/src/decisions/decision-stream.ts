// A decision's events as Server-Sent Events: frames and the order they come in. Pure.
import { DecisionView } from './decision-request';

/** One SSE frame: its event name and JSON data (one line: JSON.stringify escapes newlines). */
export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export const sseComment = (text: string) => `: ${text}\n\n`;

/**
 * What the stream says after seeing `view` when it last said `said` (null: nothing yet): the
 * decision when it is new to the reader or changed (pending, then its outcome), and `end` once
 * it has its outcome: nothing more will come.
 */
export function framesFor(said: DecisionView['status'] | null, view: DecisionView): { frames: string[]; done: boolean } {
  const frames = said === view.status ? [] : [sseFrame('decision', view)];
  const done = view.status !== 'pending';
  if (done) frames.push(sseFrame('end', { decision_id: view.decision_id, status: view.status }));
  return { frames, done };
}
