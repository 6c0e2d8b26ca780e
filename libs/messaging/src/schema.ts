const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** A schema name, checked so it can be spliced into SQL. */
export function sqlSchema(schema: string): string {
  if (!IDENTIFIER.test(schema)) throw new Error(`invalid schema name "${schema}": use lowercase letters, digits and _`);
  return `"${schema}"`;
}
