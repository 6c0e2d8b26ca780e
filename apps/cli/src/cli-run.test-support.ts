// How a CLI spec runs a command against a fake service: the calls it made, what it printed, its exit code.
import { runCli } from './program';

export interface RecordedCall {
  url: string;
  method: string;
  body: unknown;
  authorization: string | null;
}

export async function runAgainst(argv: string[], reply: (url: string) => Response, env: Record<string, string>, now = new Date('2026-12-04T12:00:00Z')) {
  let out = '';
  let err = '';
  const calls: RecordedCall[] = [];
  const code = await runCli(argv, {
    io: { out: (text) => (out += text), err: (text) => (err += text) },
    readText: () => '',
    now: () => now,
    env,
    fetch: async (input, init) => {
      calls.push({
        url: String(input),
        method: init?.method ?? 'GET',
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
        authorization: new Headers(init?.headers).get('authorization'),
      });
      return reply(String(input));
    },
  });
  return { code, out, err, calls };
}

/** A JSON answer of the fake service. */
export const json = (status: number, body: unknown) => () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
