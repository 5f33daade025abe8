import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';

export interface WithSpanOptions {
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
  /** Parent context, e.g. from `extractTraceContext`; default: the active context. */
  readonly parent?: Context;
}

const TRACER_NAME = '@orderflow/telemetry';

/**
 * Runs `fn` inside a new active span (so logs and nested spans inside it join the trace), records
 * a thrown error on the span with ERROR status, rethrows it, and always ends the span.
 * Success leaves the status unset, as the OTel spec asks of library code.
 */
export async function withSpan<T>(
  name: string,
  options: WithSpanOptions,
  fn: (span: Span) => Promise<T> | T,
): Promise<T> {
  const tracer = trace.getTracer(TRACER_NAME);
  const spanOptions = {
    kind: options.kind ?? SpanKind.INTERNAL,
    attributes: options.attributes ?? {},
  };
  return tracer.startActiveSpan(
    name,
    spanOptions,
    options.parent ?? context.active(),
    async (span) => {
      try {
        return await fn(span);
      } catch (error) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: error instanceof Error ? error.message : String(error),
        });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
