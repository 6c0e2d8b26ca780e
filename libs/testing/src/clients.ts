// Small clients the integration specs share: a free port on loopback, and one-shot SQL
// against the test database (or another database or login role on the same server).
import { createServer } from 'node:net';
import { Client } from 'pg';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** The test database's URL (set by global-setup), or the same server with another database or user. */
export function databaseUrl(overrides: { database?: string; user?: string } = {}): string {
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hitl_test');
  if (overrides.database) url.pathname = `/${overrides.database}`;
  if (overrides.user) {
    url.username = overrides.user;
    url.password = '';
  }
  return url.toString();
}

/** Runs one statement on its own connection and returns the rows. */
export async function query<T>(text: string, params: unknown[] = [], connectionString = databaseUrl()): Promise<T[]> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}
