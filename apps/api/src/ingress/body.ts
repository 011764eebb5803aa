import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError } from '../errors.js';

/**
 * Reads the body as raw bytes. Nothing is decoded or decompressed: the target must receive
 * exactly what the client sent, Content-Encoding and all.
 */
export function readBody(req: IncomingMessage, limit: number, tooLarge: () => Error = () => new PayloadTooLargeError(limit)): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onError as () => void);
    };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', () => onError(new Error('request aborted')));
  });
}
