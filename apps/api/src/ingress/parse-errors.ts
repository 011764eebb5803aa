import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError, HEADERS_MAX_BYTES } from '@knocker/contract';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// What HTTP allows in a field value: visible characters, spaces, tabs and obs-text.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Answers a request Node's HTTP parser refused (bad bytes in a header, headers too large) with
 * Knocker's JSON error naming the header, instead of Node's bare "400 Bad Request".
 */
export function answerClientError(err: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const answer =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new ApiError('headers_too_large', { headers: `are larger than the server accepts (${HEADERS_MAX_BYTES / 1024} KB in all)` })
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new ApiError('request_timeout', { request: 'did not arrive in time' })
        : new ApiError('malformed_request', { [offendingHeader(err.rawPacket) ?? 'request']: `is not valid HTTP (${err.code ?? 'parse error'})` });
  const body = JSON.stringify(answer.body());
  socket.end(
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The lower-case name of the first header line the parser could not accept, if it can be told. */
export function offendingHeader(raw: Buffer | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const lines = raw.toString('latin1').split('\n').slice(1);
  for (const line of lines) {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text === '') break;
    const colon = text.indexOf(':');
    const name = colon > 0 ? text.slice(0, colon) : '';
    if (!TOKEN.test(name)) return 'headers';
    if (!FIELD_VALUE.test(text.slice(colon + 1))) return name.toLowerCase();
  }
  return undefined;
}
