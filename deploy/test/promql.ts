// The series a PromQL expression reads, found with Prometheus' own grammar (lezer-promql).
import { parser } from '@prometheus-io/lezer-promql';
import { readJson, readYaml } from './repo.js';

export const DASHBOARD = 'deploy/grafana/dashboards/knocker.json';
export const ALERTS = 'deploy/prometheus/alerts.yml';

export interface Panel {
  id: number;
  type: string;
  title?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  panels?: Panel[];
  targets?: Array<{ expr?: string }>;
}

/** Every panel of the dashboard, those inside rows included. */
export const dashboardPanels = (): Panel[] => readJson<{ panels: Panel[] }>(DASHBOARD).panels.flatMap((p) => [p, ...(p.panels ?? [])]);
/** The dashboard's queries as written, Grafana macros included. */
export const dashboardExprs = (): string[] => dashboardPanels().flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
/** The alerting rules' expressions. */
export const alertExprs = (): string[] => (readYaml(ALERTS).groups as Array<{ rules: Array<{ expr: string }> }>).flatMap((g) => g.rules.map((r) => r.expr));

export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface Selector {
  metric: string;
  matchers: Matcher[];
}

/** Grafana's interval macros are not PromQL; a fixed range stands in for them. */
export const fromGrafana = (expr: string): string => expr.replace(/\$__(?:rate_interval|interval|range)\b/g, '5m');

const OPS: Record<string, Matcher['op']> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };

function unquote(literal: string): string {
  if (literal.startsWith('"')) return JSON.parse(literal) as string;
  return literal.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** Every vector selector with a metric name; throws on a syntax error. */
export function selectors(expr: string): Selector[] {
  const tree = parser.parse(expr);
  const found: Selector[] = [];
  tree.iterate({
    enter(ref) {
      if (ref.type.isError) throw new Error(`PromQL syntax error at ${ref.from} in ${expr}`);
      if (ref.name !== 'VectorSelector') return;
      const node = ref.node;
      const name = node.getChild('Identifier');
      if (!name) return;
      const matchers = (node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []).map((m) => {
        const text = (n: typeof m | null) => (n ? expr.slice(n.from, n.to) : '');
        const op = m.getChild('MatchOp')?.firstChild?.name ?? '';
        return { label: text(m.getChild('LabelName')), op: OPS[op] ?? '=', value: unquote(text(m.getChild('StringLiteral'))) };
      });
      found.push({ metric: expr.slice(name.from, name.to), matchers });
    },
  });
  return found;
}

/** Does a series with these labels match every matcher? */
export function matches(labels: Readonly<Record<string, string>>, matchers: readonly Matcher[]): boolean {
  return matchers.every(({ label, op, value }) => {
    const actual = labels[label] ?? '';
    if (op === '=') return actual === value;
    if (op === '!=') return actual !== value;
    const re = new RegExp(`^(?:${value})$`);
    return op === '=~' ? re.test(actual) : !re.test(actual);
  });
}
