/**
 * Thrown when a fault rule, a toxic or a fault plan option is malformed. `path` names the
 * offending field (for example `rules[2].probability` or `latency`), and the message says what
 * was expected and what was given.
 */
export class FaultSpecError extends TypeError {
  override readonly name = 'FaultSpecError';
  constructor(
    readonly path: string,
    expected: string,
    got: unknown,
  ) {
    super(`${path} must be ${expected}, got ${describe(got)}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value);
  } catch {
    return typeof value;
  }
}
