import { ConfigError, loadConfig } from '@hitl/service-kit';
import { consoleConfig, upstreams } from './config';

describe("the console server's config", () => {
  it('defaults to the services on their usual ports and its own on 3005', () => {
    const config = loadConfig(consoleConfig, {});
    expect(config).toMatchObject({ HTTP_PORT: 3005, HTTP_HOST: '127.0.0.1', CONSOLE_WEB_ROOT: 'apps/console/dist/web', CONSOLE_UPSTREAM_IDLE_SECONDS: 60 });
    expect(upstreams(config)).toEqual([
      { name: 'escalation', mount: '/api/escalation', target: 'http://127.0.0.1:3002' },
      { name: 'audit', mount: '/api/audit', target: 'http://127.0.0.1:3003' },
      { name: 'calibrator', mount: '/api/calibrator', target: 'http://127.0.0.1:3004' },
    ]);
  });

  it.each([
    [{ ESCALATION_URL: 'http://10.0.0.5:8080/' }, 'ESCALATION_URL', 'http://10.0.0.5:8080'],
    [{ CALIBRATOR_URL: 'https://calibrator.internal' }, 'CALIBRATOR_URL', 'https://calibrator.internal'],
    [{ CONSOLE_UPSTREAM_IDLE_SECONDS: '5' }, 'CONSOLE_UPSTREAM_IDLE_SECONDS', 5],
  ])('takes %j', (env, variable, value) => {
    expect(loadConfig(consoleConfig, env)[variable as 'ESCALATION_URL']).toBe(value);
  });

  it.each([
    [{ AUDIT_URL: 'ftp://audit' }, 'AUDIT_URL'],
    [{ ESCALATION_URL: 'not a url' }, 'ESCALATION_URL'],
    [{ HTTP_PORT: '70000' }, 'HTTP_PORT'],
    [{ CONSOLE_UPSTREAM_IDLE_SECONDS: '0' }, 'CONSOLE_UPSTREAM_IDLE_SECONDS'],
    [{ CONSOLE_UPSTREAM_IDLE_SECONDS: '1.5' }, 'CONSOLE_UPSTREAM_IDLE_SECONDS'],
  ])('refuses %j, naming the variable', (env, variable) => {
    expect(() => loadConfig(consoleConfig, env)).toThrow(ConfigError);
    try {
      loadConfig(consoleConfig, env);
    } catch (error) {
      expect((error as ConfigError).problems.map((p) => p.variable)).toEqual([variable]);
    }
  });
});
