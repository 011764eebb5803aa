import { describe, expect, it } from '@jest/globals';
import { hostAllowed, redirectedMethod, redirectLocation, redirectRefusal, redirectTarget, withoutCredentials } from './redirects.js';

const url = (u: string) => new URL(u);

describe('redirect rules', () => {
  it('follows the statuses got followed, with a Location', () => {
    for (const status of [300, 301, 302, 303, 304, 307, 308]) expect(redirectLocation(status, '/x')).toBe('/x');
    expect(redirectLocation(302, undefined)).toBeUndefined();
    expect(redirectLocation(302, '')).toBeUndefined();
    expect(redirectLocation(305, '/x')).toBeUndefined();
    expect(redirectLocation(200, '/x')).toBeUndefined();
  });

  it('reads a Location relative to the URL it came from, its bytes as UTF-8', () => {
    expect(redirectTarget('/b?q=1', url('https://a.example:8443/a')).href).toBe('https://a.example:8443/b?q=1');
    expect(redirectTarget(Buffer.from('/é').toString('latin1'), url('http://a.example/')).pathname).toBe('/%C3%A9');
  });

  it('refuses other schemes and the way down from https to http, whatever HOSTS_ONLY says', () => {
    expect(redirectRefusal(url('https://a.example/'), url('http://a.example/'), undefined)).toMatch(/from https to http/);
    expect(redirectRefusal(url('http://a.example/'), url('file:///etc/passwd'), undefined)).toMatch(/file:/);
    expect(redirectRefusal(url('http://a.example/'), url('https://b.example/'), undefined)).toBeUndefined();
    expect(redirectRefusal(url('https://a.example/'), url('https://b.example/'), [])).toBeUndefined();
  });

  it('applies HOSTS_ONLY as the api does: a name allows every port, name:port that port only', () => {
    const only = ['a.example', 'b.example:8080', 'c.example:443', '[::1]'];
    expect(hostAllowed(only, url('http://a.example:9999/'))).toBe(true);
    expect(hostAllowed(only, url('http://b.example:8080/'))).toBe(true);
    expect(hostAllowed(only, url('http://b.example:8081/'))).toBe(false);
    expect(hostAllowed(only, url('https://c.example/'))).toBe(true);
    expect(hostAllowed(only, url('http://c.example/'))).toBe(false);
    expect(hostAllowed(only, url('http://[::1]:80/'))).toBe(true);
    expect(hostAllowed(only, url('http://A.EXAMPLE/'))).toBe(true);
    expect(hostAllowed(only, url('http://a.example.evil/'))).toBe(false);
    expect(hostAllowed([], url('http://anything.example/'))).toBe(true);
    expect(redirectRefusal(url('http://a.example/'), url('http://evil.example/'), only)).toMatch(/evil\.example is not followed: not in HOSTS_ONLY/);
  });

  it('turns a 303 into a GET, and keeps the method of every other redirect', () => {
    expect(redirectedMethod(303, 'POST')).toBe('GET');
    expect(redirectedMethod(303, 'HEAD')).toBe('HEAD');
    for (const status of [301, 302, 307, 308]) expect(redirectedMethod(status, 'POST')).toBe('POST');
  });

  it("leaves out the caller's credentials, and only them", () => {
    const headers: Array<[string, string]> = [['authorization', 'x'], ['x-a', '1'], ['cookie', 'c'], ['proxy-authorization', 'p'], ['x-a', '2']];
    expect(withoutCredentials(headers)).toEqual([['x-a', '1'], ['x-a', '2']]);
    const none: Array<[string, string]> = [['x-a', '1']];
    expect(withoutCredentials(none)).toBe(none);
  });
});
