import { describe, expect, it } from '@jest/globals';
import { redactUrl } from './index.js';

describe('redactUrl', () => {
  it.each([
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['redis://:p@ss@host:6379', 'redis://***@host:6379'],
    ['redis://user:a@b@c@host:6379/2', 'redis://***@host:6379/2'],
    ['rediss://only-user@host', 'rediss://***@host'],
    ['redis://:pw%40x@[::1]:6379', 'redis://***@[::1]:6379'],
    ['redis://host:6379/0?password=hunter2', 'redis://host:6379/0?***'],
    ['not a url', '(unreadable URL)'],
  ])('%s is logged as %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });
});
