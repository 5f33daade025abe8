import { describe, expect, it } from '@jest/globals';
import { ConcurrencyError, EventStoreError, isVersionConflict } from '../src/index.js';

describe('event store errors', () => {
  it('a concurrency conflict is retryable and carries the versions', () => {
    const error = new ConcurrencyError('order-1', 3, 5);
    expect(error).toBeInstanceOf(EventStoreError);
    expect(error).toMatchObject({ code: 'CONCURRENCY_CONFLICT', retryable: true, httpStatus: 409 });
    expect(error.message).toContain('expected version 3, found 5');
  });

  it('only a unique violation on the events key counts as a version conflict', () => {
    const pgError = (constraint: string) =>
      Object.assign(new Error('duplicate key'), { code: '23505', constraint });
    expect(isVersionConflict(pgError('events_pkey'))).toBe(true);
    expect(isVersionConflict(pgError('outbox_message_id_key'))).toBe(false);
    expect(isVersionConflict(new Error('boom'))).toBe(false);
  });
});
