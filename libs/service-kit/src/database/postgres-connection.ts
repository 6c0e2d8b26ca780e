// How a service connects to PostgreSQL, from its validated config: DATABASE_URL says where
// and as whom, the password comes from a file, TLS from DATABASE_SSL_MODE. Every connection
// the services open (TypeORM's pools, the schema's creation, LISTEN clients, the audit's
// owner and writer roles) is built here, so none of them can skip TLS or the password.
import { ConnectionOptions, TlsOptions } from 'node:tls';
import { ClientConfig } from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { DatabaseConfig } from '../config/config';

export type PostgresConnection = ClientConfig & { host?: string; port?: number; user?: string; database?: string };

/** pg's options for DATABASE_URL, or for another login role (`as`) on the same server with its own password. */
export function postgresConnection(config: DatabaseConfig, as?: { user: string; password?: string }): PostgresConnection {
  const parsed = parseIntoClientConfig(config.DATABASE_URL) as PostgresConnection;
  return {
    ...parsed,
    ...(as ? { user: as.user, password: as.password } : { password: config.DATABASE_PASSWORD_FILE?.text() }),
    ssl: tlsOptions(config),
  };
}

function tlsOptions(config: DatabaseConfig): false | ConnectionOptions {
  const ca = config.DATABASE_SSL_CA_FILE?.text();
  switch (config.DATABASE_SSL_MODE) {
    case 'disable':
      return false;
    case 'require':
      // Encrypted, the server unchecked: what libpq's sslmode=require means.
      return { rejectUnauthorized: false };
    case 'verify-ca':
      // Signed by the CA; any host name (libpq's verify-ca).
      return { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ca, rejectUnauthorized: true };
  }
}

/** The same, as TypeORM's postgres options take it. */
export function typeormConnection(connection: PostgresConnection) {
  const { host, port, user, password, database, ssl, ...rest } = connection;
  return {
    host,
    port,
    username: user,
    password: typeof password === 'string' ? password : undefined,
    database,
    // Only what both take (ca, rejectUnauthorized, checkServerIdentity): TypeORM types it as server options.
    ssl: ssl as boolean | TlsOptions | undefined,
    extra: rest,
  };
}

/** Where it points, for messages: never the password. */
export function describeConnection(connection: PostgresConnection): string {
  return `${connection.host ?? 'localhost'}:${connection.port ?? 5432}/${connection.database ?? ''}`;
}
