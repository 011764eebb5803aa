/** An error a target reported in its answer's headers, whatever the status of that answer. */
export interface TargetError {
  code: string;
  message: string | null;
}

/** Recorded as the code when a target sent `Knocker-Error-Message` alone. */
export const NO_ERROR_CODE = 'knocker.no-error-code';

// What a target sends is stored with the request and sent on to the callback: keep it bounded.
const MAX_CODE = 256;
const MAX_MESSAGE = 2048;

/** Reads `Knocker-Error-Code` and `Knocker-Error-Message` from an answer's (lower-cased) headers. */
export function readTargetError(headers: Readonly<Record<string, string | string[] | undefined>>): TargetError | undefined {
  const code = single(headers['knocker-error-code']);
  const message = single(headers['knocker-error-message']);
  if (code === undefined && message === undefined) return undefined;
  return { code: clip(code ?? NO_ERROR_CODE, MAX_CODE), message: message === undefined ? null : clip(message, MAX_MESSAGE) };
}

function single(value: string | string[] | undefined): string | undefined {
  const text = (Array.isArray(value) ? value.join(', ') : value)?.trim();
  return text === '' ? undefined : text;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
