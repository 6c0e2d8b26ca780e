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

/**
 * The outbox keeps keys and headers as bytes, so a dead letter can carry whatever the
 * refused message held (U+0000, bytes that are no UTF-8) without PostgreSQL refusing the
 * letter itself. `headers`: a JSON array of [name, value] pairs, both base64.
 */
export function outboxBytesUp(schema: string): string[] {
  const s = sqlSchema(schema);
  return [
    `ALTER TABLE ${s}.outbox ALTER COLUMN message_key TYPE bytea USING convert_to(message_key, 'UTF8')`,
    `ALTER TABLE ${s}.outbox ADD COLUMN header_pairs jsonb NOT NULL DEFAULT '[]'::jsonb`,
    `UPDATE ${s}.outbox o SET header_pairs = coalesce(
       (SELECT jsonb_agg(jsonb_build_array(translate(encode(convert_to(h.key, 'UTF8'), 'base64'), chr(10), ''),
                                           translate(encode(convert_to(h.value, 'UTF8'), 'base64'), chr(10), '')))
          FROM jsonb_each_text(o.headers) AS h), '[]'::jsonb)`,
    `ALTER TABLE ${s}.outbox DROP COLUMN headers`,
    `ALTER TABLE ${s}.outbox RENAME COLUMN header_pairs TO headers`,
    `COMMENT ON COLUMN ${s}.outbox.headers IS 'Kafka headers as a JSON array of [name, value] pairs, both base64'`,
  ];
}

export function outboxBytesDown(schema: string): string[] {
  const s = sqlSchema(schema);
  return [
    `ALTER TABLE ${s}.outbox ADD COLUMN header_object jsonb NOT NULL DEFAULT '{}'::jsonb`,
    `UPDATE ${s}.outbox o SET header_object = coalesce(
       (SELECT jsonb_object_agg(convert_from(decode(p->>0, 'base64'), 'UTF8'), convert_from(decode(p->>1, 'base64'), 'UTF8'))
          FROM jsonb_array_elements(o.headers) AS p), '{}'::jsonb)`,
    `ALTER TABLE ${s}.outbox DROP COLUMN headers`,
    `ALTER TABLE ${s}.outbox RENAME COLUMN header_object TO headers`,
    `ALTER TABLE ${s}.outbox ALTER COLUMN message_key TYPE text USING convert_from(message_key, 'UTF8')`,
  ];
}
