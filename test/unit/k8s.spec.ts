// The Kubernetes objects of deploy/k8s: rendered and valid against the Kubernetes (and KEDA,
// Prometheus operator) schemas, the committed files current, every ConfigMap key and Secret
// key the pods read present, and every probe on a route the app serves.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PATH_METADATA } from '@nestjs/common/constants';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HealthController, consumerGroup } from '@hitl/service-kit';
import { APPS, OVERLAYS, PORTS, readGenerated, render, renderYaml, generatedFile } from '../../deploy/k8s/render';

type K8sObject = {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: Record<string, unknown>;
};
type Container = {
  args: string[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: { name: string; value?: string }[];
  volumeMounts: { name: string; mountPath: string }[];
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  startupProbe?: { httpGet?: { path: string } };
};
type PodSpec = {
  containers: Container[];
  volumes: { name: string; configMap?: { name: string }; secret?: { secretName: string; items?: { key: string }[] } }[];
};

const root = resolve(__dirname, '../..');

/** The routes the services' shared health controller serves. */
function kitRoutes(): string[] {
  const base = Reflect.getMetadata(PATH_METADATA, HealthController) as string;
  const methods = Object.getOwnPropertyNames(HealthController.prototype).filter((m) => m !== 'constructor');
  return methods.map(
    (m) => `/${[base, Reflect.getMetadata(PATH_METADATA, HealthController.prototype[m as keyof HealthController])].filter((p) => p && p !== '/').join('/')}`,
  );
}

describe.each(OVERLAYS)('the %s overlay', (overlay) => {
  const objects = render(overlay) as K8sObject[];
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const pods = [...byKind('Deployment'), ...byKind('Job')].map((o) => ({
    name: o.metadata.name,
    spec: (o.spec as { template: { spec: PodSpec } }).template.spec,
  }));

  it('is what deploy/k8s/generated holds (render it again after a change)', () => {
    expect(readFileSync(generatedFile(overlay), 'utf8')).toBe(renderYaml(overlay));
    expect(readGenerated(overlay).map((o) => (o as K8sObject).kind)).toEqual(objects.map((o) => o.kind));
  });

  it('has a Deployment, Service and PodDisruptionBudget for every app, a migration Job and lag scaling for the consumers', () => {
    for (const app of APPS) {
      for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget'])
        expect([kind, app, byKind(kind).some((o) => o.metadata.name === `hitl-${app}`)]).toEqual([kind, app, true]);
    }
    expect(
      byKind('Job')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['audit', 'calibrator', 'escalation', 'gateway', 'router'].map((a) => `hitl-${a}-migrate`));
    for (const scaled of byKind('ScaledObject')) {
      const [trigger] = (scaled.spec as { triggers: { type: string; metadata: { consumerGroup: string } }[] }).triggers;
      const app = scaled.metadata.name.replace(/^hitl-/, '');
      // The group the service really joins (its consumer group without a topic prefix).
      expect([trigger.type, trigger.metadata.consumerGroup]).toEqual(['kafka', consumerGroup({ topicPrefix: '' }, app)]);
    }
    expect(byKind('ServiceMonitor')).toHaveLength(1);
    expect(byKind('NetworkPolicy')).toHaveLength(1);
    expect(byKind('Ingress')).toHaveLength(1);
  });

  it('gives every pod only ConfigMaps, Secrets and keys that exist', () => {
    const keysOf = (kind: string, name: string) => {
      const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
      return found ? Object.keys(found.data ?? found.stringData ?? {}) : null;
    };
    for (const pod of pods) {
      for (const c of pod.spec.containers) {
        for (const from of c.envFrom ?? []) {
          if (from.configMapRef)
            expect([pod.name, from.configMapRef.name, keysOf('ConfigMap', from.configMapRef.name)]).toEqual([
              pod.name,
              from.configMapRef.name,
              expect.any(Array),
            ]);
          if (from.secretRef)
            expect([pod.name, from.secretRef.name, keysOf('Secret', from.secretRef.name)]).toEqual([pod.name, from.secretRef.name, expect.any(Array)]);
        }
        // Every mount names a volume of the pod.
        for (const mount of c.volumeMounts)
          expect([pod.name, mount.name, pod.spec.volumes.some((v) => v.name === mount.name)]).toEqual([pod.name, mount.name, true]);
      }
      for (const volume of pod.spec.volumes) {
        if (volume.configMap)
          expect([pod.name, volume.configMap.name, keysOf('ConfigMap', volume.configMap.name)]).toEqual([pod.name, volume.configMap.name, expect.any(Array)]);
        if (volume.secret) {
          const keys = keysOf('Secret', volume.secret.secretName);
          expect([pod.name, volume.secret.secretName, keys]).toEqual([pod.name, volume.secret.secretName, expect.any(Array)]);
          for (const item of volume.secret.items ?? []) expect([pod.name, item.key, keys?.includes(item.key)]).toEqual([pod.name, item.key, true]);
        }
      }
    }
  });

  it('names, in the settings, only files the pods mount', () => {
    const settings = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'hitl-settings')!.data!;
    const config = Object.keys(objects.find((o) => o.metadata.name === 'hitl-config')!.data!);
    const manifests = Object.keys(objects.find((o) => o.metadata.name === 'hitl-manifests')!.data!);
    for (const [variable, value] of Object.entries(settings)) {
      if (value.startsWith('/etc/hitl/config/')) expect([variable, config.includes(value.slice('/etc/hitl/config/'.length))]).toEqual([variable, true]);
      if (value.startsWith('/etc/hitl/manifests/'))
        expect([variable, manifests.includes(value.slice('/etc/hitl/manifests/'.length))]).toEqual([variable, true]);
    }
    // The tokens Secret has a key for every token variable the people files name.
    const tokens = Object.keys(objects.find((o) => o.metadata.name === 'hitl-tokens')!.stringData!);
    for (const file of ['config/reviewers.yaml', 'config/auditors.yaml'])
      for (const [, variable] of readFileSync(resolve(root, file), 'utf8').matchAll(/^\s*token_env:\s*([A-Z0-9_]+)\s*$/gm)) expect(tokens).toContain(variable);
  });

  it('probes routes the apps serve, on the port they listen on', () => {
    const served = kitRoutes();
    expect(served).toEqual(expect.arrayContaining(['/livez', '/readyz']));
    // The console serves its own /healthz (apps/console/src/server/health.controller.ts).
    const consoleHealth = readFileSync(resolve(root, 'apps/console/src/server/health.controller.ts'), 'utf8');
    expect(consoleHealth).toMatch(/@Controller\('healthz'\)[\s\S]*@Get\(\)/);
    for (const deployment of byKind('Deployment')) {
      const app = deployment.metadata.name.replace(/^hitl-/, '') as (typeof APPS)[number];
      const [c] = (deployment.spec as { template: { spec: PodSpec } }).template.spec.containers;
      const paths = [c.livenessProbe, c.readinessProbe, c.startupProbe].flatMap((p) => (p?.httpGet ? [p.httpGet.path] : []));
      expect(paths.length).toBeGreaterThan(0);
      for (const path of paths) expect([app, path, app === 'console' ? path === '/healthz' : served.includes(path)]).toEqual([app, path, true]);
      expect(c.args).toEqual([app]);
      expect((c as unknown as { ports: { containerPort: number }[] }).ports[0].containerPort).toBe(PORTS[app]);
    }
  });
});

it('a malformed object is refused by its schema (the validation is real)', () => {
  expect(() => new Deployment({ metadata: { name: 'x' }, spec: { replicas: 'two' as unknown as number, selector: {}, template: {} } }).validate()).toThrow();
});
