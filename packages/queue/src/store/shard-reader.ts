import type { AttemptRecord } from '../jobs.js';
import type { StoredAttempt } from '../attempts.js';
import { runScript, SCRIPTS } from '../scripts.js';
import type { Shard } from '../shards/shard-set.js';

/** How a shard's entries are walked: a set by score, either way, or the waiting list from its newest. */
export type Walk = 'desc' | 'asc' | 'list';

/** A place in one shard's set: an entry, by its score (as Redis wrote it) and job id. */
export interface ShardPosition {
  score: string;
  jobId: string;
}

/** What a chunk says of one job: never its body or headers. */
export interface JobSummary {
  config: { id: string; host: string; scheme: 'http' | 'https'; flow_key?: string } & Record<string, unknown>;
  method: string;
  url: string;
  acceptedAt: number;
  notBefore?: number;
  group?: string;
  orderKey?: string;
  schedule?: string;
  /** A QStash message's labels. */
  labels?: string[];
  /** The last failed attempt recorded in the job's data. */
  attempt?: StoredAttempt | AttemptRecord;
}

export interface Entry {
  jobId: string;
  score: string;
  /** Undefined when the job went while it was read. */
  job: JobSummary | undefined;
  failedReason: string | null;
  /** The successful attempt of a delivered job. */
  delivered: AttemptRecord | undefined;
}

// Entries one call of the chunk script reads at most, and bytes of job data it decodes at most
// (past the first entry): each call keeps Redis busy for a bounded moment.
export const CHUNK_MAX = 200;
const CHUNK_BYTES = 2 * 1024 * 1024;

/**
 * One shard's entries in a walk, a chunk at a time, from `start` (inclusive) or strictly after
 * `after`, up to `end` (inclusive). Entries that leave the set meanwhile are skipped; a run of
 * equal scores longer than a chunk is read on with an offset.
 */
export class ShardReader {
  private readonly buffer: Entry[] = [];
  private pos: ShardPosition | undefined;
  private offset = 0;
  private done = false;

  constructor(
    readonly shard: Shard, private readonly set: string, private readonly walk: Walk,
    private readonly start: string, private readonly end: string, after: ShardPosition | undefined, private readonly chunk: number,
  ) {
    this.pos = after;
  }

  /** The next entry without taking it; undefined once the walk is over. */
  async peek(bound: <T>(w: Promise<T>) => Promise<T>): Promise<Entry | undefined> {
    while (this.buffer.length === 0 && !this.done) await this.fill(bound);
    return this.buffer[0];
  }

  take(): Entry | undefined {
    return this.buffer.shift();
  }

  private async fill(bound: <T>(w: Promise<T>) => Promise<T>): Promise<void> {
    const { redis, keys } = this.shard;
    const from = this.pos?.score ?? this.start;
    const reply = (await bound(runScript(redis, SCRIPTS.listPage, [this.set, `${keys.base}:`],
      [this.walk, from, this.end, this.pos?.jobId ?? '', this.offset, this.chunk, CHUNK_BYTES]))) as Array<string | number | null>;
    const entries: Entry[] = [];
    for (let i = 1; i + 4 < reply.length; i += 5) {
      const [jobId, score, job, failedReason, delivered] = reply.slice(i, i + 5) as Array<string | null>;
      entries.push({
        jobId: jobId!, score: score!, job: job ? (JSON.parse(job) as JobSummary) : undefined, failedReason: failedReason ?? null,
        delivered: delivered ? (JSON.parse(delivered) as AttemptRecord) : undefined,
      });
    }
    const fresh = entries.filter((e) => this.isAfter(e));
    if (reply[0] !== 1) this.done = true;
    if (entries.length > 0 && fresh.length === 0 && this.walk !== 'list') this.offset += entries.length;
    else this.offset = 0;
    const last = fresh.at(-1);
    if (last) this.pos = { score: last.score, jobId: last.jobId };
    this.buffer.push(...fresh);
  }

  // Read again from a score, a chunk starts with the entries at that score already seen.
  private isAfter(e: Entry): boolean {
    const p = this.pos;
    if (p === undefined || this.walk === 'list' || e.score !== p.score) return true;
    return this.walk === 'desc' ? e.jobId < p.jobId : e.jobId > p.jobId;
  }
}
