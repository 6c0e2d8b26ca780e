// The inbox and outbox tables every service keeps in its own PostgreSQL schema.
// Each app's first migration calls these, so the tables are versioned with the app.

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** A schema name, checked so it can be spliced into SQL. */
export function sqlSchema(schema: string): string {
  if (!IDENTIFIER.test(schema)) throw new Error(`invalid schema name "${schema}": use lowercase letters, digits and _`);
  return `"${schema}"`;
}

export function messagingTablesUp(schema: string): string[] {
  const s = sqlSchema(schema);
  return [
    `CREATE TABLE ${s}.inbox (
       consumer    text        NOT NULL,
       message_id  text        NOT NULL,
       topic       text        NOT NULL,
       received_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (consumer, message_id)
     )`,
    `COMMENT ON TABLE ${s}.inbox IS 'Messages already handled, by CloudEvents id (or topic/partition/offset for undecodable ones); written in the handler''s transaction'`,
    `CREATE TABLE ${s}.outbox (
       id          bigserial   PRIMARY KEY,
       topic       text        NOT NULL,
       message_key text,
       value       bytea       NOT NULL,
       headers     jsonb       NOT NULL DEFAULT '{}'::jsonb,
       event_id    text,
       created_at  timestamptz NOT NULL DEFAULT now()
     )`,
    `COMMENT ON TABLE ${s}.outbox IS 'Events (and dead letters) waiting for the relay; written in the transaction of the state change that caused them'`,
  ];
}

export function messagingTablesDown(schema: string): string[] {
  const s = sqlSchema(schema);
  return [`DROP TABLE ${s}.outbox`, `DROP TABLE ${s}.inbox`];
}
