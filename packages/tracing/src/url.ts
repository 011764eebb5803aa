/**
 * A target URL fit for a span: query and fragment (where tokens travel) and user info dropped.
 * Spans leave Knocker for a collector that may keep them for months.
 */
export function urlWithoutSecrets(url: string): string {
  const u = URL.parse(url);
  if (u === null) return '(unreadable URL)';
  return `${u.protocol}//${u.host}${u.pathname}`;
}
