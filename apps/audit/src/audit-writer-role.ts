/** The login role the audit writes through: INSERT and SELECT on the record, owner of nothing. */
export function auditWriterRole(schema: string): string {
  return `${schema}_writer`;
}
