import { KnockerError } from './errors.js';

export class ScheduleNotFoundError extends KnockerError {
  readonly status = 404;
  readonly code = 'not_found';
  constructor(id: string) {
    super({ id: `no schedule ${JSON.stringify(id)} is known` });
  }
}

/** SCHEDULES_MAX schedules exist already (or it is 0: schedules are off). */
export class ScheduleLimitError extends KnockerError {
  readonly status = 409;
  readonly code = 'schedules_full';
  constructor(max: number) {
    super({
      'knocker-cron': max === 0
        ? 'schedules are off on this Knocker (SCHEDULES_MAX=0)'
        : `${max} schedules exist already (SCHEDULES_MAX); delete one, or replace one by sending its Knocker-Id`,
    });
  }
}
