/**
 * Unusable input: a missing path, an unreadable tsconfig, a bad option. The CLI maps it to exit
 * code 2. `option` names the option or argument at fault.
 */
export class CodemodInputError extends Error {
  override readonly name = 'CodemodInputError';
  readonly option: string;

  constructor(option: string, message: string) {
    super(`${option}: ${message}`);
    this.option = option;
  }
}

export function isCodemodInputError(value: unknown): value is CodemodInputError {
  return value instanceof CodemodInputError;
}
