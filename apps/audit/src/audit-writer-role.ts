/** The login role the audit writes through: INSERT and SELECT on the record, owner of nothing. */
export function auditWriterRole(schema: string): string {
  return `${schema}_writer`;
}

/**
 * The role analysts' BI tools read through: SELECT on the record's stable views (the
 * decision timeline, resolutions, reviews), nothing on its tables. A group role (no login):
 * grant it to the tool's own login (`GRANT audit_reader TO metabase`).
 */
export function auditReaderRole(schema: string): string {
  return `${schema}_reader`;
}
