import { describe, expect, it } from '@jest/globals';
import { classifyError, MessagingError, NonRetryableError } from '../src/errors.js';

function pgError(code: string): Error {
  return Object.assign(new Error(`pg ${code}`), { code });
}

describe('classifyError', () => {
  it('takes the retryable flag of messaging errors from their code', () => {
    expect(classifyError(new MessagingError('NOT_AVRO', 'x'))).toMatchObject({
      code: 'NOT_AVRO',
      retryable: false,
    });
    expect(classifyError(new MessagingError('TRANSIENT', 'x'))).toMatchObject({
      code: 'TRANSIENT',
      retryable: true,
    });
    expect(classifyError(new NonRetryableError('bad'))).toMatchObject({
      code: 'HANDLER_REJECTED',
      retryable: false,
      errorClass: 'NonRetryableError',
    });
  });

  it('retries Postgres serialization failures, deadlocks and lost connections, not constraint violations', () => {
    expect(classifyError(pgError('40001')).retryable).toBe(true);
    expect(classifyError(pgError('40P01')).retryable).toBe(true);
    expect(classifyError(pgError('08006')).retryable).toBe(true);
    expect(classifyError(pgError('57P01')).retryable).toBe(true);
    expect(classifyError(pgError('23505'))).toMatchObject({ code: 'PG_23505', retryable: false });
    expect(classifyError(pgError('23514')).retryable).toBe(false);
  });

  it("follows kafkajs's own retriable flag", () => {
    const kafkaError = Object.assign(new Error('leader not available'), {
      name: 'KafkaJSProtocolError',
      retriable: true,
    });
    expect(classifyError(kafkaError)).toMatchObject({
      code: 'KAFKA',
      retryable: true,
      errorClass: 'KafkaJSProtocolError',
    });
    expect(
      classifyError(Object.assign(new Error('too large'), { retriable: false })).retryable,
    ).toBe(false);
  });

  it('treats unknown errors and non-errors as retryable (bounded by the retry tiers, then the DLQ)', () => {
    expect(classifyError(new TypeError('boom'))).toMatchObject({
      code: 'HANDLER_FAILED',
      retryable: true,
      errorClass: 'TypeError',
    });
    expect(classifyError('a string')).toMatchObject({
      retryable: true,
      errorClass: 'NonError',
      message: 'a string',
    });
  });
});
