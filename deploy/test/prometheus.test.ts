// The Prometheus files through promtool (Debian's prometheus package): the configuration,
// the alerting rules, and the rules' unit tests in deploy/prometheus/alerts.test.yml.
import { describe, expect, it } from '@jest/globals';
import { readYaml, run } from './repo.js';

const promtool = (...args: string[]) => run('promtool', args);

describe('deploy/prometheus', () => {
  it('promtool check config accepts prometheus.yml and the rule files it names', async () => {
    const res = await promtool('check', 'config', 'deploy/prometheus/prometheus.yml');
    expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: '' });
    expect(res.stdout).toContain('SUCCESS: 1 rule files found');
  });

  it('promtool check rules accepts alerts.yml', async () => {
    const res = await promtool('check', 'rules', 'deploy/prometheus/alerts.yml');
    expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('every alert fires on its case and stays quiet on its look-alike (promtool test rules)', async () => {
    const res = await promtool('test', 'rules', 'deploy/prometheus/alerts.test.yml');
    expect({ status: res.status, output: `${res.stdout}${res.stderr}` }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('the unit tests cover every alert', () => {
    const alerts = (readYaml('deploy/prometheus/alerts.yml').groups as any[]).flatMap((g) => g.rules.map((r: any) => r.alert as string));
    const tested = new Set((readYaml('deploy/prometheus/alerts.test.yml').tests as any[]).flatMap((t) => t.alert_rule_test.map((a: any) => a.alertname as string)));
    expect(alerts.filter((a) => !tested.has(a))).toEqual([]);
    expect(alerts.length).toBeGreaterThanOrEqual(6);
  });
});
