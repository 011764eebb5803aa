/**
 * The destination pasted raw after a route's prefix (`/v2/publish/`), its query included: the
 * SDK does not encode it, so `https://e.com/a?x=1` arrives as path and query of our own URL.
 * A proxy that merges slashes leaves `https:/e.com`, which is mended.
 */
export function readDestination(pathAndQuery: string, prefix: string): string | undefined {
  if (!pathAndQuery.startsWith(prefix)) return undefined;
  const raw = pathAndQuery.slice(prefix.length);
  return raw.replace(/^(https?):\/(?!\/)/i, '$1://');
}
