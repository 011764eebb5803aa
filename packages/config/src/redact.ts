/**
 * A URL fit for a log line: its user info and query (where ioredis also reads a password)
 * masked. URL's own parsing finds where the user info ends, however many `@` a password holds.
 */
export function redactUrl(url: string): string {
  const u = URL.parse(url);
  if (u === null) return '(unreadable URL)';
  const user = u.username !== '' || u.password !== '' ? '***@' : '';
  return `${u.protocol}//${user}${u.host}${u.pathname}${u.search === '' ? '' : '?***'}`;
}
