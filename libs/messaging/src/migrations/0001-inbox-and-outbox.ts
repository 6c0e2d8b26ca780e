// Released: every service's database ran this text. Never edit it; add a new version.

export const up = `
CREATE TABLE {schema}.inbox (
  consumer    text        NOT NULL,
  message_id  text        NOT NULL,
  topic       text        NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, message_id)
);
COMMENT ON TABLE {schema}.inbox IS 'Messages already handled, by CloudEvents id (or topic/partition/offset for undecodable ones); written in the handler''s transaction';
CREATE TABLE {schema}.outbox (
  id          bigserial   PRIMARY KEY,
  topic       text        NOT NULL,
  message_key text,
  value       bytea       NOT NULL,
  headers     jsonb       NOT NULL DEFAULT '{}'::jsonb,
  event_id    text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE {schema}.outbox IS 'Events (and dead letters) waiting for the relay; written in the transaction of the state change that caused them';
`;

export const down = `
DROP TABLE {schema}.outbox;
DROP TABLE {schema}.inbox;
`;
