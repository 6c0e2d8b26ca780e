import { ConfigError, loadConfig, tracingConfig } from '../config/config';
import { tracingOptions } from './service-tracing';

describe('tracing config', () => {
  it('is off unless an OTLP endpoint is set; the service name defaults to the service', () => {
    expect(tracingOptions('router', loadConfig(tracingConfig, {}))).toEqual({ serviceName: 'router', endpoint: undefined, disabled: false });
  });

  it('takes the standard variables: the traces endpoint before the base one', () => {
    const config = loadConfig(tracingConfig, {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector:4318/v1/traces',
      OTEL_SERVICE_NAME: 'hitl-router-eu',
      OTEL_SDK_DISABLED: 'TRUE',
    });
    expect(tracingOptions('router', config)).toEqual({
      serviceName: 'hitl-router-eu',
      endpoint: { traces: 'https://collector:4318/v1/traces' },
      disabled: true,
    });
    expect(tracingOptions('router', loadConfig(tracingConfig, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).endpoint).toEqual({
      base: 'http://collector:4318',
    });
  });

  it('names each bad variable', () => {
    expect(() => loadConfig(tracingConfig, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318', OTEL_SDK_DISABLED: 'yes' })).toThrow(ConfigError);
    try {
      loadConfig(tracingConfig, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318', OTEL_SDK_DISABLED: 'yes' });
    } catch (error) {
      expect((error as ConfigError).problems.map((p) => p.variable)).toEqual(['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SDK_DISABLED']);
    }
  });
});
