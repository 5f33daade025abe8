import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { replayDlq } from '../dlq.js';
import { X } from '../retry-headers.js';
import { CliFailure } from './options.js';
import type { DlqSession, SelectedRecord } from './session.js';

/**
 * Replays selected DLQ records through `replayDlq` in chunks, so that progress is visible and
 * the log (one JSON line per replayed record) is written as the replay goes, not only at the end.
 */
const CHUNK = 100;

export interface ReplayLogLine {
  readonly dlqTopic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string;
  readonly type: string;
  readonly originTopic: string;
  readonly replayedAt: string;
}

/** Records that cannot be replayed: no origin header, or an origin topic that does not exist. */
export function checkReplayable(session: DlqSession, selected: readonly SelectedRecord[]): void {
  const orphans = selected.filter((s) => !s.record.originTopic);
  if (orphans.length > 0) {
    const where = orphans.map((s) => `${s.dlqTopic} ${s.record.partition}:${s.record.offset}`);
    throw new CliFailure(
      `${orphans.length} selected record(s) have no ${X.originTopic} header (${where.slice(0, 3).join(', ')})`,
      'narrow the selection with the filters so that it leaves them out',
    );
  }
  const missing = [...new Set(selected.map((s) => s.record.originTopic))].filter(
    (t) => !session.topics.has(t),
  );
  if (missing.length > 0) {
    throw new CliFailure(
      `origin topic(s) ${missing.join(', ')} do not exist on ${session.config.brokers.join(',')}`,
      'create the catalogue topics with ./dev stack up, or leave those records out with the filters',
    );
  }
}

export async function replaySelected(
  session: DlqSession,
  selected: readonly SelectedRecord[],
  { ratePerSecond, logFile }: { ratePerSecond: number; logFile: string },
): Promise<number> {
  await mkdir(dirname(logFile), { recursive: true });
  let done = 0;
  for (let i = 0; i < selected.length; i += CHUNK) {
    const chunk = selected.slice(i, i + CHUNK);
    // replayDlq stamps each record's x-replayed-at with one now() call, in order; keeping those
    // stamps makes the log agree with the headers.
    const stamps: Date[] = [];
    const now = () => {
      const at = new Date();
      stamps.push(at);
      return at;
    };
    let failure: unknown;
    await replayDlq(
      session.kafka,
      chunk.map((s) => s.record),
      { ratePerSecond, now },
    ).catch((error: unknown) => {
      failure = error;
    });
    // On failure, every record stamped before the last one was sent; the last may or may not be.
    const sent = failure === undefined ? chunk.length : Math.max(0, stamps.length - 1);
    const lines = chunk.slice(0, sent).map(({ dlqTopic, record }, j): ReplayLogLine => ({
      dlqTopic,
      partition: record.partition,
      offset: record.offset,
      key: record.key,
      type: record.type,
      originTopic: record.originTopic,
      replayedAt: (stamps[j] ?? new Date()).toISOString(),
    }));
    if (lines.length > 0) {
      await appendFile(logFile, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    }
    if (failure !== undefined) {
      throw new CliFailure(
        `replay stopped after ${done + sent} of ${selected.length} record(s), logged in ${logFile} (${(failure as Error).message})`,
        'fix the cause and run the same replay again: the consumers’ inbox drops what was already delivered',
      );
    }
    done += sent;
    if (done % CHUNK === 0 || done === selected.length) {
      console.log(`replayed ${done}/${selected.length}`);
    }
  }
  return done;
}
