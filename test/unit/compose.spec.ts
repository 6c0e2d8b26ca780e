// docker-compose.yml's `app` profile, read as Compose would: every app of the image, each
// healthy only when its probe answers, started after what it needs is healthy, reaching
// Kafka on the listener advertised to the compose network, with its keys from files the
// local key script makes and nothing secret in the file itself. (No Docker engine runs
// here: CI boots the same apps from the image's bundle, scripts/prod-bundle.ts --check.)
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

const root = resolve(__dirname, '../..');
const compose = parse(readFileSync(resolve(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<
    string,
    {
      profiles?: string[];
      build?: { context: string; dockerfile: string };
      command?: string[];
      ports?: string[];
      environment?: Record<string, string>;
      secrets?: string[];
      depends_on?: Record<string, { condition: string }>;
      healthcheck?: { test: string[] };
    }
  >;
  secrets: Record<string, { file: string }>;
};
// The image's apps, as its entry point knows them; the keys the local script makes.
const entry = readFileSync(resolve(root, 'scripts/image-entry.js'), 'utf8');
const IMAGE_APPS = [...entry.matchAll(/^\s{2}([a-z]+): 'apps\//gm)].map((m) => m[1]);
const { KEY_NAMES } = require('../../scripts/local-keys.js') as { KEY_NAMES: string[] };

const apps = Object.entries(compose.services).filter(([, s]) => s.profiles?.includes('app'));

describe("docker-compose.yml's app profile", () => {
  it('runs every app of the image, and only behind the profile (infra.sh starts Kafka and PostgreSQL alone)', () => {
    expect(apps.map(([name]) => name).sort()).toEqual([...IMAGE_APPS].sort());
    expect(compose.services.kafka.profiles).toBeUndefined();
    expect(compose.services.postgres.profiles).toBeUndefined();
  });

  it.each(apps)('%s: built from the Dockerfile, its app as the argument, healthy by its probe on its port, after what it needs', (name, service) => {
    expect(service.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(service.command).toEqual([name]);
    const port = service.environment?.HTTP_PORT;
    expect(service.ports).toEqual([`127.0.0.1:${port}:${port}`]);
    const probe = name === 'console' ? '/healthz' : '/readyz';
    expect(service.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${port}${probe}`);
    const needs = name === 'console' ? ['audit', 'calibrator', 'escalation'] : ['kafka', 'postgres'];
    expect(Object.keys(service.depends_on ?? {}).sort()).toEqual(needs);
    for (const dependency of Object.values(service.depends_on ?? {})) expect(dependency.condition).toBe('service_healthy');
  });

  it('reaches Kafka on the listener it advertises to the compose network, PostgreSQL by its service name', () => {
    const kafka = compose.services.kafka.environment!;
    for (const [, service] of apps.filter(([n]) => n !== 'console')) {
      const broker = service.environment!.KAFKA_BROKERS;
      expect(kafka.KAFKA_ADVERTISED_LISTENERS).toContain(`INTERNAL://${broker}`);
      expect(service.environment!.DATABASE_URL).toMatch(/^postgres:\/\/postgres@postgres:5432\//);
    }
  });

  it('gives every app its keys from files (the ones scripts/local-keys.js makes), never a secret in the file', () => {
    for (const [name, service] of apps) {
      const env = service.environment ?? {};
      for (const secret of service.secrets ?? []) expect([name, secret, compose.secrets[secret]?.file]).toEqual([name, secret, `.infra/keys/${secret}`]);
      const files = [env.SIGNING_KEY_FILE, ...(env.SERVICE_KEYS ?? '').split(',').map((pair) => pair.split('=')[1])].filter(Boolean);
      for (const file of files) expect([name, file, (service.secrets ?? []).map((s) => `/run/secrets/${s}`).includes(file!)]).toEqual([name, file, true]);
      for (const value of Object.values(env)) expect(value).not.toMatch(/PRIVATE KEY|token-|password=/i);
    }
    for (const { file } of Object.values(compose.secrets)) {
      const key = file.replace(/^\.infra\/keys\//, '').replace(/\.(key\.pem|jwks\.json)$/, '');
      expect(KEY_NAMES).toContain(key);
    }
  });
});
