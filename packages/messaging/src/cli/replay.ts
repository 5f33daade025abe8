import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { replayDlq } from '../dlq.js';
import { X } from '../retry-headers.js';
import { CliFailure } from './options.js';
import type { DlqSession, SelectedRecord } from './session.js';

/**
 * Replays selected DLQ records, appending one JSON line per acknowledged record to the log as it
 * goes (so an interrupted replay says exactly what was sent) and printing progress.
 */
const PROGRESS_EVERY = 100;

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
  const dlqTopicOf = new Map(selected.map((s) => [s.record, s.dlqTopic]));
  let done = 0;
  try {
    done = await replayDlq(
      session.kafka,
      selected.map((s) => s.record),
      {
        ratePerSecond,
        onReplayed: async ({ record, replayedAt }) => {
          const line: ReplayLogLine = {
            dlqTopic: dlqTopicOf.get(record) ?? '',
            partition: record.partition,
            offset: record.offset,
            key: record.key,
            type: record.type,
            originTopic: record.originTopic,
            replayedAt,
          };
          await appendFile(logFile, `${JSON.stringify(line)}\n`);
          done += 1;
          if (done % PROGRESS_EVERY === 0 || done === selected.length) {
            console.log(`replayed ${done}/${selected.length}`);
          }
        },
      },
    );
  } catch (failure) {
    throw new CliFailure(
      `replay stopped after ${done} of ${selected.length} record(s), logged in ${logFile} (${(failure as Error).message})`,
      'fix the cause and run the same replay again: the consumers’ inbox drops what was already delivered',
    );
  }
  return done;
}
