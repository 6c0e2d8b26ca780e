// hitl on Kubernetes, generated from TypeScript: every object of a `dev` and a `prod`
// overlay, built with kubernetes-models (each checked against the Kubernetes schemas, and
// KEDA's and the Prometheus operator's, as it is made) and written to
// deploy/k8s/generated/<overlay>.yaml for `kubectl apply -f`.
//
//   node -r @swc-node/register deploy/k8s/render.ts            write both overlays
//   node -r @swc-node/register deploy/k8s/render.ts --check    render and validate; fail if the committed files are stale (CI)
//
// What it holds, per app (router, escalation, audit, calibrator, gateway, console): a
// Deployment (the image's app as its argument, /livez and /readyz probes, resources, non-root
// and read-only), a Service, a PodDisruptionBudget, and for the services with a schema a
// migration Job (`--migrate-only`) and a KEDA ScaledObject on its consumer group's lag
// (CPU says little about a consumer's backlog). Shared: ConfigMaps for the settings, the
// manifests, the reviewers, agents, auditors and notifications files and the services'
// public keys; Secrets for the signing keys, the database passwords and the people's
// tokens (their values are the operator's to fill: `kubectl create secret ... --dry-run=client
// -o yaml | kubectl apply -f -`); a ServiceMonitor, a NetworkPolicy and an Ingress that
// routes the console, its API and the one-click `/links`.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { IContainer } from 'kubernetes-models/v1/Container';
import { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { IVolume } from 'kubernetes-models/v1/Volume';
import { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { parse, stringify } from 'yaml';

const root = resolve(__dirname, '../..');
export const OVERLAYS = ['dev', 'prod'] as const;
export type Overlay = (typeof OVERLAYS)[number];

export const APPS = ['router', 'escalation', 'audit', 'calibrator', 'gateway', 'console'] as const;
export type App = (typeof APPS)[number];
/** The apps that own a schema and consume Kafka: a migration Job and a ScaledObject each. */
const SERVICES: readonly App[] = ['router', 'escalation', 'audit', 'calibrator', 'gateway'];
/** The README's ports. */
export const PORTS: Record<App, number> = { router: 3001, escalation: 3002, audit: 3003, calibrator: 3004, console: 3005, gateway: 3006 };
/** What each app signs with its own key (the wire contract's signing services). */
const SIGNERS: readonly App[] = ['router', 'escalation', 'gateway', 'audit'];
/** The topic whose lag says a service is behind (its main input). */
const MAIN_TOPIC: Partial<Record<App, string>> = {
  router: 'decision.proposed',
  escalation: 'approval.requested',
  audit: 'decision.proposed',
  calibrator: 'approval.resolved',
  gateway: 'approval.resolved',
};

const NAMESPACE = 'hitl';
const CONFIG_DIR = '/etc/hitl/config';
const MANIFEST_DIR = '/etc/hitl/manifests';
const KEYS_DIR = '/etc/hitl/service-keys';
const SECRETS_DIR = '/var/run/secrets/hitl';

interface OverlaySettings {
  image: string;
  replicas: number;
  maxReplicas: number;
  host: string;
  sslMode: 'disable' | 'verify-full';
  resources: { cpu: string; memory: string; memoryLimit: string };
}

const SETTINGS: Record<Overlay, OverlaySettings> = {
  dev: {
    image: 'hitl:dev',
    replicas: 1,
    maxReplicas: 3,
    host: 'hitl.localhost',
    sslMode: 'disable',
    resources: { cpu: '100m', memory: '192Mi', memoryLimit: '384Mi' },
  },
  prod: {
    image: 'ghcr.io/hitl/hitl:0.1.0',
    replicas: 2,
    maxReplicas: 6,
    host: 'hitl.example.com',
    sslMode: 'verify-full',
    resources: { cpu: '500m', memory: '256Mi', memoryLimit: '512Mi' },
  },
};

const labels = (app: App) => ({ 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': 'hitl' });
const name = (app: App) => `hitl-${app}`;
const meta = (objectName: string, extra: Record<string, string> = {}) => ({
  name: objectName,
  namespace: NAMESPACE,
  labels: { 'app.kubernetes.io/part-of': 'hitl', ...extra },
});

/** The variables named by the committed people files' `token_env`: the keys of the tokens Secret. */
function tokenVariables(): string[] {
  const names = new Set<string>();
  for (const file of ['config/reviewers.yaml', 'config/auditors.yaml']) {
    const text = readFileSync(resolve(root, file), 'utf8');
    for (const match of text.matchAll(/^\s*token_env:\s*([A-Z0-9_]+)\s*$/gm)) names.add(match[1]);
  }
  return [...names].sort();
}

function configMaps(overlay: Overlay): ConfigMap[] {
  const s = SETTINGS[overlay];
  const file = (path: string) => readFileSync(resolve(root, path), 'utf8');
  return [
    new ConfigMap({
      metadata: meta('hitl-settings'),
      data: {
        KAFKA_BROKERS: 'kafka.kafka.svc:9092',
        KAFKA_REPLICATION_FACTOR: overlay === 'prod' ? '3' : '1',
        KAFKA_PARTITIONS: overlay === 'prod' ? '6' : '3',
        DATABASE_URL: 'postgres://hitl@postgres.postgres.svc:5432/hitl',
        DATABASE_SSL_MODE: s.sslMode,
        ...(s.sslMode === 'verify-full' ? { DATABASE_SSL_CA_FILE: `${CONFIG_DIR}/database-ca.crt` } : {}),
        LOG_LEVEL: 'info',
        HTTP_HOST: '0.0.0.0',
        MANIFEST_PATH: `${MANIFEST_DIR}/refunds.yaml`,
        AGENTS_PATH: `${CONFIG_DIR}/agents.yaml`,
        AUDITORS_PATH: `${CONFIG_DIR}/auditors.yaml`,
        REVIEWERS_PATH: `${CONFIG_DIR}/reviewers.yaml`,
        NOTIFICATIONS_PATH: `${CONFIG_DIR}/notifications.yaml`,
        SERVICE_KEYS: SIGNERS.map((app) => `${app}=${KEYS_DIR}/${app}.jwks.json`).join(','),
        ESCALATION_URL: `http://${name('escalation')}:${PORTS.escalation}`,
        AUDIT_URL: `http://${name('audit')}:${PORTS.audit}`,
        CALIBRATOR_URL: `http://${name('calibrator')}:${PORTS.calibrator}`,
      },
    }),
    new ConfigMap({ metadata: meta('hitl-manifests'), data: { 'refunds.yaml': file('manifests/refunds.yaml') } }),
    new ConfigMap({
      metadata: meta('hitl-config'),
      data: {
        'agents.yaml': file('config/agents.yaml'),
        'auditors.yaml': file('config/auditors.yaml'),
        'reviewers.yaml': file('config/reviewers.yaml'),
        'notifications.yaml': file('config/notifications.yaml'),
        // The CA that signs the database's certificate (verify-full); the operator's to fill.
        ...(s.sslMode === 'verify-full' ? { 'database-ca.crt': '' } : {}),
      },
    }),
    // The services' public keys (`hitl keys generate` writes them beside each private key); the operator's to fill.
    new ConfigMap({ metadata: meta('hitl-service-keys'), data: Object.fromEntries(SIGNERS.map((app) => [`${app}.jwks.json`, '{"keys":[]}'])) }),
  ];
}

function secrets(): Secret[] {
  const fillIn = { 'hitl.dev/fill-in': 'every value: the operator sets them; nothing secret is in this repository' };
  return [
    new Secret({
      metadata: { ...meta('hitl-signing-keys'), annotations: fillIn },
      type: 'Opaque',
      stringData: Object.fromEntries(SIGNERS.map((app) => [`${app}.key.pem`, ''])),
    }),
    new Secret({ metadata: { ...meta('hitl-database'), annotations: fillIn }, type: 'Opaque', stringData: { password: '', 'audit-writer-password': '' } }),
    new Secret({
      metadata: { ...meta('hitl-tokens'), annotations: fillIn },
      type: 'Opaque',
      stringData: Object.fromEntries(tokenVariables().map((v) => [v, ''])),
    }),
  ];
}

/** The container of an app (and of its migration Job, with `--migrate-only`). */
function container(app: App, overlay: Overlay, migrateOnly = false): { container: IContainer; volumes: IVolume[] } {
  const s = SETTINGS[overlay];
  const env: IEnvVar[] = [{ name: 'HTTP_PORT', value: String(PORTS[app]) }];
  const mounts: IVolumeMount[] = [
    { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
    { name: 'manifests', mountPath: MANIFEST_DIR, readOnly: true },
    { name: 'service-keys', mountPath: KEYS_DIR, readOnly: true },
    { name: 'tmp', mountPath: '/tmp' },
  ];
  const volumes: IVolume[] = [
    { name: 'config', configMap: { name: 'hitl-config' } },
    { name: 'manifests', configMap: { name: 'hitl-manifests' } },
    { name: 'service-keys', configMap: { name: 'hitl-service-keys' } },
    { name: 'tmp', emptyDir: {} },
  ];
  if (app !== 'console') {
    env.push({ name: 'DATABASE_PASSWORD_FILE', value: `${SECRETS_DIR}/database/password` });
    mounts.push({ name: 'database', mountPath: `${SECRETS_DIR}/database`, readOnly: true });
    const items = [{ key: 'password', path: 'password' }];
    if (app === 'audit') {
      items.push({ key: 'audit-writer-password', path: 'audit-writer-password' });
      env.push({ name: 'AUDIT_WRITER_PASSWORD_FILE', value: `${SECRETS_DIR}/database/audit-writer-password` });
    }
    volumes.push({ name: 'database', secret: { secretName: 'hitl-database', items } });
  }
  if (SIGNERS.includes(app)) {
    env.push({ name: 'SIGNING_KEY_FILE', value: `${SECRETS_DIR}/signing/${app}.key.pem` });
    mounts.push({ name: 'signing', mountPath: `${SECRETS_DIR}/signing`, readOnly: true });
    volumes.push({ name: 'signing', secret: { secretName: 'hitl-signing-keys', items: [{ key: `${app}.key.pem`, path: `${app}.key.pem` }] } });
  }
  // People sign in with tokens: the escalation's reviewers, the audit's and calibrator's auditors.
  const tokens = app === 'escalation' || app === 'audit' || app === 'calibrator' ? [{ secretRef: { name: 'hitl-tokens' } }] : [];
  const probes = migrateOnly
    ? {}
    : app === 'console'
      ? {
          // The console holds no state: alive while it answers; ready while its upstreams do.
          livenessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 10, failureThreshold: 3 },
          readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5, failureThreshold: 3 },
        }
      : {
          livenessProbe: { httpGet: { path: '/livez', port: 'http' }, periodSeconds: 10, failureThreshold: 3 },
          readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5, failureThreshold: 2 },
          startupProbe: { httpGet: { path: '/livez', port: 'http' }, periodSeconds: 2, failureThreshold: 60 },
        };
  return {
    volumes,
    container: {
      name: app,
      image: s.image,
      imagePullPolicy: overlay === 'dev' ? 'IfNotPresent' : 'Always',
      args: migrateOnly ? [app, '--migrate-only'] : [app],
      ports: migrateOnly ? undefined : [{ name: 'http', containerPort: PORTS[app] }],
      envFrom: [{ configMapRef: { name: 'hitl-settings' } }, ...tokens],
      env,
      volumeMounts: mounts,
      resources: { requests: { cpu: s.resources.cpu, memory: s.resources.memory }, limits: { memory: s.resources.memoryLimit } },
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 1000,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      },
      ...probes,
    },
  };
}

function appObjects(app: App, overlay: Overlay) {
  const s = SETTINGS[overlay];
  const { container: main, volumes } = container(app, overlay);
  const objects: { validate(): void }[] = [
    new Deployment({
      metadata: meta(name(app), labels(app)),
      spec: {
        // KEDA scales the consumers between its bounds; the console and the gateway keep this count.
        replicas: s.replicas,
        selector: { matchLabels: labels(app) },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels: labels(app), annotations: { 'prometheus.io/path': '/metrics', 'prometheus.io/port': String(PORTS[app]) } },
          spec: { containers: [main], volumes, terminationGracePeriodSeconds: 30, automountServiceAccountToken: false },
        },
      },
    }),
    new Service({
      metadata: meta(name(app), labels(app)),
      spec: { selector: labels(app), ports: [{ name: 'http', port: PORTS[app], targetPort: 'http' }] },
    }),
    new PodDisruptionBudget({ metadata: meta(name(app), labels(app)), spec: { maxUnavailable: 1, selector: { matchLabels: labels(app) } } }),
  ];
  if (SERVICES.includes(app)) {
    const job = container(app, overlay, true);
    objects.push(
      new Job({
        metadata: meta(`${name(app)}-migrate`, labels(app)),
        spec: {
          backoffLimit: 4,
          ttlSecondsAfterFinished: 3600,
          template: {
            metadata: { labels: labels(app) },
            spec: { restartPolicy: 'OnFailure', containers: [job.container], volumes: job.volumes, automountServiceAccountToken: false },
          },
        },
      }),
    );
    if (app !== 'gateway') {
      objects.push(
        new ScaledObject({
          metadata: meta(name(app), labels(app)),
          spec: {
            scaleTargetRef: { name: name(app) },
            minReplicaCount: s.replicas,
            // More replicas than partitions stand idle.
            maxReplicaCount: s.maxReplicas,
            triggers: [
              {
                type: 'kafka',
                metadata: { bootstrapServers: 'kafka.kafka.svc:9092', consumerGroup: `hitl-${app}`, topic: MAIN_TOPIC[app] as string, lagThreshold: '200' },
              },
            ],
          },
        }),
      );
    }
  }
  return objects;
}

/** Every object of an overlay, each validated against its schema. */
export function render(overlay: Overlay): Record<string, unknown>[] {
  const s = SETTINGS[overlay];
  const objects: { validate(): void }[] = [
    ...configMaps(overlay),
    ...secrets(),
    ...APPS.flatMap((app) => appObjects(app, overlay)),
    new ServiceMonitor({
      metadata: meta('hitl'),
      spec: { selector: { matchLabels: { 'app.kubernetes.io/part-of': 'hitl' } }, endpoints: [{ port: 'http', path: '/metrics', interval: '30s' }] },
    }),
    new NetworkPolicy({
      metadata: meta('hitl'),
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'hitl' } },
        policyTypes: ['Ingress'],
        ingress: [
          // hitl's own apps (the console in front of the services), the ingress controller, Prometheus.
          { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'hitl' } } }] },
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] },
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: 'http' }] },
        ],
      },
    }),
    new Ingress({
      metadata: meta('hitl'),
      spec: {
        ingressClassName: 'nginx',
        ...(overlay === 'prod' ? { tls: [{ hosts: [s.host], secretName: 'hitl-tls' }] } : {}),
        rules: [
          {
            host: s.host,
            http: {
              paths: [
                // One-click decisions from notifications are the escalation service's own.
                { path: '/links', pathType: 'Prefix', backend: { service: { name: name('escalation'), port: { number: PORTS.escalation } } } },
                // The agents' HTTP road.
                { path: '/v1', pathType: 'Prefix', backend: { service: { name: name('gateway'), port: { number: PORTS.gateway } } } },
                // The console and the reviewer API behind it (/api).
                { path: '/', pathType: 'Prefix', backend: { service: { name: name('console'), port: { number: PORTS.console } } } },
              ],
            },
          },
        ],
      },
    }),
  ];
  for (const object of objects) object.validate();
  return objects.map((o) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>);
}

export function renderYaml(overlay: Overlay): string {
  const header = `# hitl on Kubernetes, overlay "${overlay}": generated by deploy/k8s/render.ts (do not edit; run it again).\n`;
  return (
    header +
    render(overlay)
      .map((o) => stringify(o, { lineWidth: 0 }))
      .join('---\n')
  );
}

export const generatedFile = (overlay: Overlay) => join(root, 'deploy/k8s/generated', `${overlay}.yaml`);

/** The objects a generated file holds, as kubectl would read them. */
export function readGenerated(overlay: Overlay): Record<string, unknown>[] {
  return readFileSync(generatedFile(overlay), 'utf8')
    .split(/^---$/m)
    .map((doc) => parse(doc) as Record<string, unknown>);
}

function main(): void {
  const check = process.argv.includes('--check');
  for (const overlay of OVERLAYS) {
    const text = renderYaml(overlay);
    if (check) {
      if (readFileSync(generatedFile(overlay), 'utf8') !== text)
        throw new Error(`${generatedFile(overlay)} is stale: run node -r @swc-node/register deploy/k8s/render.ts`);
      console.log(`${overlay}: ${render(overlay).length} objects rendered and valid; the committed file is current`);
    } else {
      mkdirSync(join(root, 'deploy/k8s/generated'), { recursive: true });
      writeFileSync(generatedFile(overlay), text);
      console.log(`wrote ${generatedFile(overlay)}`);
    }
  }
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
