// Calls to the services through the console server (/api/<service>/...), with a bearer token.
import { parseSse } from './sse';
import { ApprovalChange } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(service: 'escalation' | 'audit' | 'calibrator', path: string, token: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
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
  return body as T;
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
export async function followChanges(token: string, signal: AbortSignal, onOpen: () => void, onChange: (change: ApprovalChange) => void, onState: (live: boolean) => void): Promise<void> {
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
          } else if (event.event === 'approval') onChange(JSON.parse(event.data) as ApprovalChange);
        }
      }
    } catch {
      // cut or refused: try again below
    }
    onState(false);
    if (!signal.aborted) await new Promise((r) => setTimeout(r, 2_000));
  }
}
