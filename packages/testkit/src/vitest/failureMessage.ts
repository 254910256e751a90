import type { MatcherState } from 'vitest';

/**
 * A matcher failure in Vitest's own shape, through `this.utils`: the hint line
 * (`expect(received).not.toSettleWithin(ms)`), the explanation, then `Expected:`/`Received:`
 * printed (and coloured) as Vitest prints its built-in matchers' values.
 */
export function failureMessage(
  state: MatcherState,
  matcher: string,
  args: { received: string; expected?: string },
  explanation: string,
  values: { expected: unknown; received: unknown },
): string {
  const hint = state.utils.matcherHint(matcher, args.received, args.expected ?? '', { isNot: state.isNot, promise: state.promise });
  return `${hint}\n\n${explanation}\n\nExpected: ${state.isNot ? 'not ' : ''}${state.utils.printExpected(values.expected)}\nReceived: ${state.utils.printReceived(values.received)}`;
}
