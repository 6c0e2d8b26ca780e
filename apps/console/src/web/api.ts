// Calls to the services through the console server (/api/<service>/...), with a bearer token.
import { ApprovalChange } from '@hitl/reviewer-api';
import { z } from 'zod';
import { parseSse } from './sse';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One call. With `answer` (a schema of @hitl/reviewer-api), the answer is checked against it:
 * a service that drifted from the shared types fails here, by name, not deep in a view.
 */
export async function api<T>(
  service: 'escalation' | 'audit' | 'calibrator',
  path: string,
  token: string,
  init: { method?: string; body?: unknown; answer?: z.ZodType<T> } = {},
): Promise<T> {
  const response = await fetch(`/api/${service}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  if (!response.ok) {
    const b = (body ?? {}) as { code?: string; message?: string | string[] };
    const message = Array.isArray(b.message) ? b.message.join('; ') : (b.message ?? `${response.status} ${response.statusText}`);
    throw new ApiError(response.status, b.code ?? String(response.status), message);
  }
  if (!init.answer) return body as T;
  const checked = init.answer.safeParse(body);
  if (!checked.success)
    throw new ApiError(
      response.status,
      'unexpected_answer',
      `${service} answered ${path} in a shape this console does not know: ${z.prettifyError(checked.error)}`,
    );
  return checked.data;
}

/** An image the API serves behind a token, as an object URL for an <img> (SVG there runs nothing). */
export async function imageUrl(service: 'calibrator', path: string, token: string): Promise<string> {
  const response = await fetch(`/api/${service}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new ApiError(response.status, String(response.status), `the diagram could not be read (${response.status})`);
  return URL.createObjectURL(await response.blob());
}

/**
 * Follows the live stream until `signal` aborts, calling `onOpen` each time it (re)connects
 * (so the caller reloads what it may have missed) and `onChange` per change.
 */
export async function followChanges(
  token: string,
  signal: AbortSignal,
  onOpen: () => void,
  onChange: (change: ApprovalChange) => void,
  onState: (live: boolean) => void,
): Promise<void> {
  while (!signal.aborted) {
    try {
      const response = await fetch('/api/escalation/approvals/stream', { headers: { authorization: `Bearer ${token}` }, signal });
      if (!response.ok || !response.body) throw new Error(`stream refused: ${response.status}`);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const parsed = parseSse(buffer + value);
        buffer = parsed.rest;
        for (const event of parsed.events) {
          if (event.event === 'ready') {
            onState(true);
            onOpen();
          } else if (event.event === 'approval') {
            // A change that does not read as one ends this connection like a cut: the reconnect reloads the inbox.
            onChange(ApprovalChange.parse(JSON.parse(event.data)));
          }
        }
      }
    } catch {
      // cut or refused: try again below
    }
    onState(false);
    if (!signal.aborted) await new Promise((r) => setTimeout(r, 2_000));
  }
}
