// The agent's keys from its options: the private key it signs with, and the services'
// public keys it believes. Read once, at construction, so a bad path fails at start-up and
// not at the first resolution.
import { readFileSync } from 'node:fs';
import { Jwks, Keyring, SigningKey, SigningService, parseJwks, parseSigningKey } from '@hitl/contracts';
import { AgentOptionsError } from './errors';

/** The services' public keys: a JWKS document, or the path of a JWKS file (e.g. what `GET /keys` of the service serves). */
export interface TrustedKeys {
  router: Jwks | string;
  escalation: Jwks | string;
}

function read(option: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new AgentOptionsError(option, `cannot read ${path} (${(error as Error).message})`);
  }
}

const isKeyText = (text: string) => text.includes('-----BEGIN') || text.trimStart().startsWith('{');

/** A SigningKey as given, or parsed from a PKCS#8 PEM / private JWK, given as text or as the path of a file holding it. */
export function loadSigningKey(key: SigningKey | string | undefined): SigningKey {
  if (key === undefined || key === null || key === '') {
    throw new AgentOptionsError(
      'signingKey',
      "is required: the agent's Ed25519 private key (a key file path, its PEM, or a SigningKey). Every event the agent publishes is signed with it, and the services refuse unsigned ones",
    );
  }
  if (typeof key !== 'string') {
    if (typeof key.kid !== 'string' || key.privateKey?.type !== 'private')
      throw new AgentOptionsError('signingKey', 'is not a SigningKey ({ kid, privateKey })');
    return key;
  }
  const text = isKeyText(key) ? key : read('signingKey', key);
  try {
    return parseSigningKey(text);
  } catch (error) {
    throw new AgentOptionsError('signingKey', `${isKeyText(key) ? 'the key given' : key} is not an Ed25519 private key (${(error as Error).message})`);
  }
}

function loadJwks(service: SigningService, value: Jwks | string | undefined): Jwks {
  const option = `trustedKeys.${service}`;
  if (value === undefined || value === null || value === '')
    throw new AgentOptionsError(option, `is required: the ${service} service's public keys (a JWKS document or the path of a JWKS file)`);
  if (typeof value !== 'string') {
    try {
      return parseJwks(value);
    } catch (error) {
      throw new AgentOptionsError(option, (error as Error).message);
    }
  }
  try {
    return parseJwks(JSON.parse(read(option, value)));
  } catch (error) {
    if (error instanceof AgentOptionsError) throw error;
    throw new AgentOptionsError(option, `${value}: ${(error as Error).message}`);
  }
}

/**
 * The keyring of the two services whose signatures carry authority to an agent. Several keys
 * per service may be listed while one rotates; a key dropped from the list is refused.
 */
export function loadKeyring(trusted: TrustedKeys | undefined): Keyring {
  if (!trusted) {
    throw new AgentOptionsError(
      'trustedKeys',
      'is required: { router, escalation }, each a JWKS document or a JWKS file path. Resolutions are acted on only when signed by one of these keys',
    );
  }
  const services = { router: loadJwks('router', trusted.router), escalation: loadJwks('escalation', trusted.escalation) };
  for (const service of ['router', 'escalation'] as const) {
    if (services[service].keys.length === 0) throw new AgentOptionsError(`trustedKeys.${service}`, 'lists no key: nothing it signs could be believed');
  }
  try {
    return new Keyring({ services });
  } catch (error) {
    throw new AgentOptionsError('trustedKeys', (error as Error).message);
  }
}
