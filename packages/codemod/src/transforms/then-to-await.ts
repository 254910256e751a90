import { ts } from 'ts-morph';
import { insertion, prefixRank, replacement, type TextEdit } from '../textEdit.js';
import type { ChangeChain, Transform, TransformContext, TransformResult } from './Transform.js';

/** TypeScript's suggestion "This may be converted to an async function." */
const CONVERT_TO_ASYNC_CODE = 80006;
const FIX_NAME = 'convertToAsyncFunction';
/** `.then`, `.catch` or `.finally` as a property access, comments allowed around the dot. */
const PROMISE_HANDLER = /\.(?:\s|\/\*[\s\S]*?\*\/|\/\/[^\n]*\n)*(?:then|catch|finally)\b/;

/**
 * Promise chains (`return fetch().then(...).catch(...)`) become async functions through
 * TypeScript's own `convertToAsyncFunction` code fix, asked of the language service for every
 * 80006 suggestion. Each function's fix is one chain, rolled back alone if it breaks the build.
 */
export const thenToAwait: Transform = {
  id: 'then-to-await',
  summary: "promise chains become async/await via TypeScript's convertToAsyncFunction code fix",
  run(context: TransformContext): TransformResult {
    const service = context.project.getLanguageService().compilerObject;
    const chains: ChangeChain[] = [];
    for (const sf of context.files) {
      // The suggestion needs a `.then`/`.catch`/`.finally` call: without one in the text, skip
      // the language service, which would type-check the file (a second program) to find none.
      if (!PROMISE_HANDLER.test(sf.text)) continue;
      const suggestions = service.getSuggestionDiagnostics(sf.fileName).filter((d) => d.code === CONVERT_TO_ASYNC_CODE);
      if (suggestions.length === 0) continue;
      const style = context.planner.style(sf);
      const indent = /\n( +|\t)\S/.exec(sf.text)?.[1] ?? '  ';
      const format: ts.FormatCodeSettings = {
        ...ts.getDefaultFormatCodeSettings(style.newline),
        indentSize: indent === '\t' ? 4 : indent.length,
        tabSize: indent === '\t' ? 4 : indent.length,
        convertTabsToSpaces: indent !== '\t',
        semicolons: style.semi === ';' ? ts.SemicolonPreference.Insert : ts.SemicolonPreference.Remove,
      };
      const preferences: ts.UserPreferences = { quotePreference: style.quote === '"' ? 'double' : 'single' };
      for (const suggestion of suggestions) {
        const start = suggestion.start ?? 0;
        const fixes = service.getCodeFixesAtPosition(sf.fileName, start, start + (suggestion.length ?? 0), [CONVERT_TO_ASYNC_CODE], format, preferences);
        const fix = fixes.find((f) => f.fixName === FIX_NAME);
        if (fix === undefined) continue;
        const edits: TextEdit[] = [];
        for (const change of fix.changes) {
          for (const text of change.textChanges) {
            edits.push(text.span.length === 0
              ? insertion(change.fileName, text.span.start, text.newText, prefixRank(text.span.start))
              : replacement(change.fileName, text.span.start, text.span.start + text.span.length, text.newText));
          }
        }
        if (edits.length === 0) continue;
        chains.push({
          transform: 'then-to-await',
          edits,
          needs: [],
          changes: [{ file: sf.fileName, pos: start, description: 'promise chain → async/await (TypeScript convertToAsyncFunction)' }],
        });
      }
    }
    return { chains, stops: [] };
  },
};
