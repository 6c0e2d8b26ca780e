// Released: every service's database ran this text. Never edit it; add a new version.
//
// The outbox keeps keys and headers as bytes, so a dead letter can carry whatever the
// refused message held (U+0000, bytes that are no UTF-8) without PostgreSQL refusing the
// letter itself. `headers`: a JSON array of [name, value] pairs, both base64.

export const up = `
ALTER TABLE {schema}.outbox ALTER COLUMN message_key TYPE bytea USING convert_to(message_key, 'UTF8');
ALTER TABLE {schema}.outbox ADD COLUMN header_pairs jsonb NOT NULL DEFAULT '[]'::jsonb;
UPDATE {schema}.outbox o SET header_pairs = coalesce(
  (SELECT jsonb_agg(jsonb_build_array(translate(encode(convert_to(h.key, 'UTF8'), 'base64'), chr(10), ''),
                                      translate(encode(convert_to(h.value, 'UTF8'), 'base64'), chr(10), '')))
     FROM jsonb_each_text(o.headers) AS h), '[]'::jsonb);
ALTER TABLE {schema}.outbox DROP COLUMN headers;
ALTER TABLE {schema}.outbox RENAME COLUMN header_pairs TO headers;
COMMENT ON COLUMN {schema}.outbox.headers IS 'Kafka headers as a JSON array of [name, value] pairs, both base64';
`;

export const down = `
ALTER TABLE {schema}.outbox ADD COLUMN header_object jsonb NOT NULL DEFAULT '{}'::jsonb;
UPDATE {schema}.outbox o SET header_object = coalesce(
  (SELECT jsonb_object_agg(convert_from(decode(p->>0, 'base64'), 'UTF8'), convert_from(decode(p->>1, 'base64'), 'UTF8'))
     FROM jsonb_array_elements(o.headers) AS p), '{}'::jsonb);
ALTER TABLE {schema}.outbox DROP COLUMN headers;
ALTER TABLE {schema}.outbox RENAME COLUMN header_object TO headers;
ALTER TABLE {schema}.outbox ALTER COLUMN message_key TYPE text USING convert_from(message_key, 'UTF8');
`;
