import type { DestinationStream } from 'pino';

/** A pino destination that keeps each written line, parsed, for assertions. */
export function captureLines(): {
  destination: DestinationStream;
  lines: Record<string, unknown>[];
} {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    destination: {
      write: (line: string) => {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  };
}
