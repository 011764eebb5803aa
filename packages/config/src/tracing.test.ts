import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './index.js';

// What loadConfig says of `name`; undefined when it accepts the environment.
const problem = (env: Record<string, string>, name: string): string | undefined => {
  const thrown = (() => { try { loadConfig(env); return undefined; } catch (err) { return err; } })();
  if (thrown !== undefined && !(thrown instanceof ConfigError)) throw thrown;
  return thrown?.problems[name];
};

describe('OpenTelemetry variables', () => {
  it('leave tracing off without an endpoint, an empty one included, whatever else is set', () => {
    expect(loadConfig({}).telemetry.tracing).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_SERVICE_NAME: 'relay', OTEL_TRACES_SAMPLER: 'always_on' }).telemetry.tracing).toBeUndefined();
  });

  it('send to <endpoint>/v1/traces, or to the traces endpoint as given, which wins', () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).telemetry.tracing).toEqual({
      url: 'http://collector:4318/v1/traces', protocol: 'http/protobuf', headers: {}, serviceName: undefined,
      sampler: 'parentbased_always_on', ratio: 1, batchDelayMs: 5000,
    });
    const both = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b/otlp/traces' });
    expect(both.telemetry.tracing?.url).toBe('https://b/otlp/traces');
  });

  it('read the protocol, headers, service name, sampler and batch delay', () => {
    const tracing = loadConfig({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=s%3Dcret, X-Team = ops', OTEL_SERVICE_NAME: 'relay',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25', OTEL_BSP_SCHEDULE_DELAY: '200',
    }).telemetry.tracing;
    expect(tracing).toMatchObject({
      protocol: 'http/json', headers: { 'x-api-key': 's=cret', 'x-team': 'ops' }, serviceName: 'relay', sampler: 'parentbased_traceidratio', ratio: 0.25, batchDelayMs: 200,
    });
  });

  it('refuse what they cannot honour, naming the variable and never showing headers', () => {
    expect(problem({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' }, 'OTEL_EXPORTER_OTLP_ENDPOINT')).toMatch(/http/);
    expect(problem({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')).toMatch(/URL/);
    expect(problem({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL')).toMatch(/grpc is not supported/);
    expect(problem({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/xml' }, 'OTEL_EXPORTER_OTLP_PROTOCOL')).toMatch(/http\/protobuf/);
    expect(problem({ OTEL_TRACES_SAMPLER: 'jaeger_remote' }, 'OTEL_TRACES_SAMPLER')).toMatch(/traceidratio/);
    expect(problem({ OTEL_TRACES_SAMPLER_ARG: '1.5' }, 'OTEL_TRACES_SAMPLER_ARG')).toMatch(/0 to 1/);
    expect(problem({ OTEL_BSP_SCHEDULE_DELAY: '-1' }, 'OTEL_BSP_SCHEDULE_DELAY')).toMatch(/whole number/);
    const bad = problem({ OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%ZZsecret' }, 'OTEL_EXPORTER_OTLP_HEADERS');
    expect(bad).toMatch(/key=value/);
    expect(bad).not.toMatch(/secret/);
    expect(problem({ OTEL_EXPORTER_OTLP_HEADERS: 'no-equals-sign' }, 'OTEL_EXPORTER_OTLP_HEADERS')).toMatch(/key=value/);
  });
});
