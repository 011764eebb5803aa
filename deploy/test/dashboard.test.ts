// The Grafana dashboard against @grafana/schema's Dashboard type, and its queries against
// Prometheus' grammar.
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';
import { DASHBOARD, dashboardExprs, dashboardPanels, fromGrafana, selectors } from './promql.js';
import { read, readJson, root } from './repo.js';

/**
 * Type errors of each JSON text as a Dashboard, from one TypeScript program (a compile is
 * the expensive part). Each JSON is pasted into a source as an object literal, so excess
 * properties and literal unions are checked as in code; enums are compared by value, as JSON
 * spells them ("absolute", not ThresholdsMode.Absolute).
 */
function dashboardTypeErrors(jsons: Record<string, string>): Record<string, string[]> {
  // Virtual files in the deploy package, so '@grafana/schema' resolves from its node_modules.
  const file = (name: string) => join(root, `deploy/test/${name}.check.ts`);
  const sources = new Map(Object.entries(jsons).map(([name, json]) => [file(name), `import type { Dashboard } from '@grafana/schema';
type Json<T> = T extends string ? \`\${T}\`
  : T extends number | boolean | null | undefined ? T
  : T extends ReadonlyArray<infer U> ? Array<Json<U>>
  : T extends object ? { [K in keyof T]: Json<T[K]> }
  : T;
export const dashboard = (${json}) satisfies Json<Dashboard>;
`]));
  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, skipLibCheck: true, types: [],
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, version, ...rest) => {
    const text = sources.get(name);
    return text === undefined ? getSourceFile.call(host, name, version, ...rest) : ts.createSourceFile(name, text, version);
  };
  host.fileExists = (name) => sources.has(name) || fileExists.call(host, name);
  host.readFile = (name) => sources.get(name) ?? readFile.call(host, name);
  const program = ts.createProgram([...sources.keys()], options, host);
  const errors: Record<string, string[]> = Object.fromEntries(Object.keys(jsons).map((name) => [name, []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const name = Object.keys(jsons).find((n) => d.file?.fileName === file(n)) ?? 'program';
    (errors[name] ??= []).push(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  }
  return errors;
}

const panels = dashboardPanels();

describe('deploy/grafana/dashboards/knocker.json', () => {
  it("fits @grafana/schema's Dashboard type, which a misspelt field, a wrong enum value or a missing field would not", () => {
    const broken = (edit: (d: any) => void): string => {
      const d = readJson(DASHBOARD);
      edit(d);
      return JSON.stringify(d);
    };
    const withThresholds = (d: any) => d.panels.find((p: any) => p.fieldConfig?.defaults.thresholds);
    const errors = dashboardTypeErrors({
      dashboard: read(DASHBOARD),
      misspelt: broken((d) => { d.panels[1].gridpos = d.panels[1].gridPos; }),
      enum: broken((d) => { withThresholds(d).fieldConfig.defaults.thresholds.mode = 'absolut'; }),
      missing: broken((d) => { delete d.schemaVersion; }),
    });
    expect(errors).toEqual({
      dashboard: [],
      misspelt: [expect.stringMatching(/'"gridpos"' does not exist/)],
      enum: [expect.stringContaining('"absolut"')],
      missing: [expect.stringContaining("'schemaVersion' is missing")],
    });
  }, 120_000);

  it('every query is valid PromQL once Grafana has filled in its macros', () => {
    const exprs = dashboardExprs();
    expect(exprs.length).toBeGreaterThan(10);
    for (const expr of exprs) expect(() => selectors(fromGrafana(expr))).not.toThrow();
  });

  it('charts what an operator needs', () => {
    const used = new Set(dashboardExprs().flatMap((e) => selectors(fromGrafana(e)).map((s) => s.metric)));
    for (const metric of [
      'http_requests_total', 'http_request_duration_seconds_bucket', 'http_requests_in_flight',
      'knocker_delivery_attempts_total', 'knocker_delivery_attempt_duration_seconds_bucket', 'knocker_delivery_latency_seconds_bucket',
      'knocker_queue_jobs', 'knocker_callback_attempts_total',
    ]) expect([metric, used.has(metric)]).toEqual([metric, true]);
  });

  it('has unique panel ids, and every panel inside the 24-column grid', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) expect([p.title, p.gridPos.x + p.gridPos.w <= 24]).toEqual([p.title, true]);
  });
});
