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
}
