// Keys and trust at start: the service's signing key, the services' keysets and the agent
// registry, read from the files the config names; any problem stops the service, naming it.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Jwks, Keyring, SIGNING_SERVICES, SigningKey, SigningService, Workspaces, parseJwks, parseSigningKey, publicJwkOf } from '@hitl/contracts';
import { Registry, parseAgentsFile } from './agents-file';
import { TrustConfig } from './trust.config';

export interface Trust {
  keyring: Keyring;
  /** The key the service signs its events with; absent for services that emit none. */
  signingKey?: SigningKey;
  /** The public keys the service publishes at GET /keys: its own keyset, with the key it signs with. */
  publicKeys: Jwks;
  /** The agents the registry lets use the agent gateway, with the SHA-256 of each one's token. */
  gatewayAgents: { id: string; workspaces: Workspaces; tokenSha256: string }[];
}

export class TrustError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'TrustError';
  }
}

function readOrFail(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new TrustError(variable, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** `signs`: the service principal this service signs as (its key is then required). */
export function loadTrust(config: TrustConfig, signs?: SigningService): Trust {
  let signingKey: SigningKey | undefined;
  if (config.SIGNING_KEY_FILE) {
    try {
      signingKey = parseSigningKey(readOrFail('SIGNING_KEY_FILE', config.SIGNING_KEY_FILE));
    } catch (error) {
      if (error instanceof TrustError) throw error;
      throw new TrustError('SIGNING_KEY_FILE', `${config.SIGNING_KEY_FILE} is not an Ed25519 private key: ${(error as Error).message}`);
    }
  } else if (signs) {
    throw new TrustError(
      'SIGNING_KEY_FILE',
      `the ${signs} service signs every event it emits: name its Ed25519 private key file (hitl keys generate writes one)`,
    );
  }

  const services: Partial<Record<SigningService, Jwks>> = {};
  for (const service of SIGNING_SERVICES) {
    const files = config.SERVICE_KEYS[service] ?? [];
    const keys = files.flatMap((file) => {
      try {
        return parseJwks(JSON.parse(readOrFail('SERVICE_KEYS', file))).keys;
      } catch (error) {
        if (error instanceof TrustError) throw error;
        throw new TrustError('SERVICE_KEYS', `${service}=${file}: ${(error as Error).message}`);
      }
    });
    services[service] = { keys };
  }
  // A service always trusts the key it signs with, so its own events verify where it reads them back.
  if (signs && signingKey) {
    const own = publicJwkOf(signingKey.privateKey, signingKey.kid);
    const listed = services[signs]?.keys ?? [];
    if (!listed.some((k) => k.x === own.x)) services[signs] = { keys: [...listed, own] };
  }

  const registryText = readOrFail('AGENTS_PATH', config.AGENTS_PATH);
  const folder = dirname(resolve(config.AGENTS_PATH));
  let registry: Registry;
  try {
    registry = parseAgentsFile(registryText, config.AGENTS_PATH, (file) => readFileSync(resolve(folder, file), 'utf8'));
  } catch (error) {
    throw new TrustError('AGENTS_PATH', (error as Error).message);
  }
  let keyring: Keyring;
  try {
    keyring = new Keyring({ services, ...registry });
  } catch (error) {
    throw new TrustError('SERVICE_KEYS', (error as Error).message);
  }
  const publicKeys: Jwks = signs ? keyring.serviceJwks(signs) : { keys: signingKey ? [publicJwkOf(signingKey.privateKey, signingKey.kid)] : [] };
  const gatewayAgents = registry.agents.flatMap((a) =>
    a.gatewayTokenSha256 ? [{ id: a.id, workspaces: a.workspaces, tokenSha256: a.gatewayTokenSha256 }] : [],
  );
  return { keyring, signingKey, publicKeys, gatewayAgents };
}
