import { describe, expect, it } from '@jest/globals';
import { nextTicks, parseCron } from './index.js';

const NOW = new Date('2030-03-01T10:00:00.500Z');

describe('parseCron', () => {
  it('reads 5 fields in UTC by default', () => {
    expect(parseCron('0 9 * * MON-FRI', NOW)).toEqual({ cron: '0 9 * * MON-FRI', pattern: '0 9 * * MON-FRI', timezone: 'UTC' });
  });

  it('reads 6 fields, seconds first, and folds runs of spaces', () => {
    expect(parseCron('  */2  *  * * * * ', NOW)).toEqual({ cron: '*/2  *  * * * *', pattern: '*/2 * * * * *', timezone: 'UTC' });
  });

  it('reads the CRON_TZ prefix and spells the zone canonically', () => {
    expect(parseCron('CRON_TZ=europe/paris 0 9 * * *', NOW)).toMatchObject({ pattern: '0 9 * * *', timezone: 'Europe/Paris' });
  });

  it.each([
    ['* * * *', /5 fields/], ['0 0 9 * * * 2030', /5 fields/], ['@hourly', /5 fields/], ['', /5 fields/], ['CRON_TZ=UTC', /5 fields/],
    ['61 * * * *', /not a valid cron expression/], ['0 0 31 2 *', /not a valid cron expression/], ['a b c d e', /not a valid cron/],
    ['CRON_TZ=Mars/Olympus 0 9 * * *', /unknown time zone "Mars\/Olympus"/],
  ])('refuses %j', (raw, problem) => {
    expect(parseCron(raw, NOW)).toMatch(problem);
  });
});

describe('nextTicks', () => {
  it('lists ticks in the zone of the schedule', () => {
    const ticks = nextTicks({ pattern: '0 9 * * *', timezone: 'Europe/Paris' }, NOW, 2).map((d) => d.toISOString());
    expect(ticks).toEqual(['2030-03-02T08:00:00.000Z', '2030-03-03T08:00:00.000Z']);
  });

  it('counts seconds with 6 fields', () => {
    const ticks = nextTicks({ pattern: '*/2 * * * * *', timezone: 'UTC' }, NOW, 3).map((d) => d.toISOString());
    expect(ticks).toEqual(['2030-03-01T10:00:02.000Z', '2030-03-01T10:00:04.000Z', '2030-03-01T10:00:06.000Z']);
  });
});
