import { ESLintUtils, type TSESLint } from '@typescript-eslint/utils';

type AnyContext = Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;

/** True when the file was parsed with a TypeScript program (typescript-eslint's parser services). */
export function hasTypeInformation(context: AnyContext): boolean {
  const services = context.sourceCode.parserServices as { program?: unknown } | undefined;
  return services?.program !== undefined && services.program !== null;
}

/** oxlint's JS plugin host names its parser `oxlint`; it never provides type information. */
export function isOxlint(context: AnyContext): boolean {
  const parser = (context.languageOptions as { parser?: { name?: unknown } } | undefined)?.parser;
  return parser?.name === 'oxlint';
}

const warned = new Set<string>();

export const typesNeededMessage = (ruleId: string): string =>
  `${ruleId} needs type information: run it with ESLint and typescript-eslint's parser with parserOptions.projectService ` +
  "(the plugin's recommended-type-checked config). oxlint's JS plugins have no type information, so it is skipped there.";

/**
 * For rules that cannot work without types. Under oxlint: says so once per process (a warning
 * on stderr) and the rule does nothing. Under ESLint: typescript-eslint's own error for a typed
 * rule without a program, as every typed rule gives. Returns true when the rule must stop.
 */
export function stopWithoutTypes(context: AnyContext, ruleId: string): boolean {
  if (hasTypeInformation(context)) return false;
  if (!isOxlint(context)) {
    ESLintUtils.getParserServices(context); // throws: "You have used a rule which requires type information, ..."
    return true;
  }
  if (!warned.has(ruleId)) {
    warned.add(ruleId);
    process.emitWarning(typesNeededMessage(ruleId), { type: 'AsyncguardWarning', code: 'ASYNCGUARD_TYPES_NEEDED' });
  }
  return true;
}
