/**
 * The tail of a process's output. Long-running apps can log a lot; keeping the
 * end is what helps when a test fails.
 */
export class OutputTail {
  #text = '';
  readonly #listeners = new Set<() => void>();

  constructor(private readonly cap: number) {}

  append(chunk: string): void {
    this.#text += chunk;
    // Trimming only past a margin avoids copying the whole buffer on every chunk.
    if (this.#text.length > this.cap + (this.cap >> 2)) this.#text = this.#text.slice(-this.cap);
    for (const listener of this.#listeners) listener();
  }

  text(): string {
    return this.#text;
  }

  tail(chars = 4000): string {
    return this.#text.length > chars ? `…${this.#text.slice(-chars)}` : this.#text;
  }

  /** Calls listener after every append; returns the unsubscribe function. */
  watch(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
