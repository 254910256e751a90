/**
 * Selectors that let ESLint skip calls a rule would dismiss by name at once. ESLint's traversal
 * matches a selector for far less than a listener call costs (a listener call is wrapped and
 * timed when stats are on), and most calls in a file are not the few names a rule looks for.
 *
 * The selectors are a superset of what the listener accepts: the listener keeps its own check.
 * They match a call whose callee is an identifier or a member with a listed name, every computed
 * member call (`a['get']()`, judged by the listener), and every call whose callee is any other
 * shape (wrapped in `!`/`as`/parentheses of an optional chain, a call, ...), since the listener
 * looks through those wrappers.
 */

const PLAIN_NAME = /^[A-Za-z_$][\w$]*$/;

export interface CallNameOptions {
  /** Also match plain `name(...)` calls, not only `x.name(...)`. */
  identifiers: boolean;
  /** Names compare case-insensitively (the listener lower-cases them). */
  ignoreCase?: boolean;
  /** A suffix the name may carry after a listed name (compared like the name). */
  optionalSuffix?: string;
}

/**
 * A `CallExpression` selector restricted to callees named one of `names`, or the bare
 * `CallExpression` when a name cannot be written into a selector safely.
 */
export function callsNamed(names: Iterable<string>, options: CallNameOptions): string {
  const list = [...new Set(names)];
  const suffix = options.optionalSuffix ?? '';
  if (list.length === 0 || !list.every((name) => PLAIN_NAME.test(name)) || (suffix !== '' && !PLAIN_NAME.test(suffix))) return 'CallExpression';
  const escape = (name: string): string => name.replace(/\$/g, '\\$');
  // `u` with `i` folds case at least as widely as the listener's `toLowerCase()` comparison.
  const pattern = `/^(?:${list.map(escape).join('|')})${suffix ? `(?:${escape(suffix)})?` : ''}$/${options.ignoreCase ? 'iu' : ''}`;
  const alternatives = [
    `CallExpression[callee.property.name=${pattern}]`,
    'CallExpression[callee.computed=true]',
    'CallExpression:not([callee.type="Identifier"], [callee.type="MemberExpression"])',
  ];
  if (options.identifiers) alternatives.unshift(`CallExpression[callee.name=${pattern}]`);
  return alternatives.join(', ');
}
