import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** Reads a whole regular file of at most `maxBytes`; a message naming the setting (never the content) when it cannot. */
export async function readSmallFile(setting: string, path: string, maxBytes: number): Promise<Buffer | string> {
  let handle;
  try {
    // Non-blocking, so that a FIFO put in place of a file is refused instead of waited on.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const info = await handle.stat();
    if (!info.isFile()) return `${setting}=${path} is not a regular file`;
    if (info.size > maxBytes) return `${setting}=${path} is larger than ${maxBytes} bytes`;
    // Read to the end, bounded again: the file may have grown since stat.
    const buf = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, length, buf.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) return `${setting}=${path} is larger than ${maxBytes} bytes`;
    }
    return buf.subarray(0, length);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return `${setting}=${path} cannot be read (${code})`;
  } finally {
    await handle?.close();
  }
}

/**
 * A one-line secret from a file: one trailing newline dropped (editors add it), then it must be
 * non-empty and free of control characters, which could split a header. The message never shows it.
 */
export async function readSecretFile(setting: string, path: string, maxBytes: number): Promise<string | { problem: string }> {
  const read = await readSmallFile(setting, path, maxBytes);
  if (typeof read === 'string') return { problem: read };
  const text = read.toString('utf8').replace(/\r?\n$/, '');
  if (text === '') return { problem: `${setting}=${path} is empty` };
  if (/[\u0000-\u001f\u007f]/.test(text)) return { problem: `${setting}=${path} must hold one line without control characters` };
  return text;
}
