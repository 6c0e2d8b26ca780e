// The machine's throwaway signing keys for `npm start` and `npm run demo`: made when missing
// in .infra/keys/ (git-ignored) with the built CLI (`hitl keys generate`), and the trust
// variables each service starts with. config/agents.yaml registers the agents' public keys.
// CommonJS, so any script loads it (start-all.ts and the demo, through @swc-node/register).
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { resolve } = require('node:path');

const root = resolve(__dirname, '..');
const keysDir = resolve(root, '.infra/keys');
/** The four signing services (the agent gateway signs for the agents that use it; the audit its stream) and the agents of config/agents.yaml. */
const KEY_NAMES = ['router', 'escalation', 'gateway', 'audit', 'refund-bot', 'shell-bot'];

const keyFile = (name) => resolve(keysDir, `${name}.key.pem`);
const jwksFile = (name) => resolve(keysDir, `${name}.jwks.json`);

/** Makes the keys that are missing; throws naming the one that could not be made. */
function ensureLocalKeys(log = console.log) {
  for (const name of KEY_NAMES) {
    if (existsSync(keyFile(name))) continue;
    const made = spawnSync(process.execPath, [resolve(root, 'apps/cli/bin/hitl.js'), 'keys', 'generate', '--name', name, '--out', keysDir], {
      cwd: root,
      encoding: 'utf8',
    });
    if (made.status !== 0) throw new Error(`cannot make the ${name} signing key in ${keysDir}: ${made.stderr || made.stdout}`);
    log(`made a throwaway ${name} signing key: ${keyFile(name)} (public: ${jwksFile(name)})`);
  }
}

/**
 * The trust variables of a service: its own key for the four that sign, everyone's public
 * keys. SERVICE_KEYS and AGENTS_PATH already set in `env` win.
 */
function localTrustEnv(name, env = {}) {
  const vars = {
    SERVICE_KEYS: env.SERVICE_KEYS ?? `router=${jwksFile('router')},escalation=${jwksFile('escalation')},gateway=${jwksFile('gateway')}`,
    AGENTS_PATH: env.AGENTS_PATH ?? resolve(root, 'config/agents.yaml'),
  };
  if (name === 'router' || name === 'escalation' || name === 'gateway' || name === 'audit') vars.SIGNING_KEY_FILE = keyFile(name);
  return vars;
}

module.exports = { KEY_NAMES, keyFile, jwksFile, ensureLocalKeys, localTrustEnv };
