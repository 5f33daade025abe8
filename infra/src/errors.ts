/** What a failed child process (execFile) printed, stdout then stderr, for a StackError's log tail. */
export function commandOutput(error: unknown): string {
  const { stdout, stderr } = error as { stdout?: unknown; stderr?: unknown };
  return `${typeof stdout === 'string' ? stdout : ''}${typeof stderr === 'string' ? stderr : ''}`.trim();
}

/** A launcher failure the user can act on: `hint` says what to do next, `logTail` shows why. */
export class StackError extends Error {
  constructor(
    message: string,
    readonly hint: string,
    readonly logTail?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'StackError';
  }

  /** What failed, what to do next, and the log lines that show why: for a terminal or CI log. */
  report(): string {
    const tail = this.logTail ? `\n\n--- log tail ---\n${this.logTail}\n----------------` : '';
    return `${this.message}\n  \u2192 ${this.hint}${tail}`;
  }
}
