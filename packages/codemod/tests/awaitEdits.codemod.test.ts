import { join } from 'node:path';
import fc from 'fast-check';
import { Project, ts } from 'ts-morph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCodemod, type CodemodReport, type TransformId } from '../src/index.js';
import { generated } from './support/awaitContexts.js';
import { checkAwaited, fcOptions, parse, single, syntaxErrors, type TargetTest } from './support/awaitShape.js';
import { makeTempProject } from './tempProject.js';

/**
 * The await-placement property end to end: a generated function body goes through `runCodemod`
 * in a temp project (one loaded Project, the file's text replaced each run), and the result must
 * parse, await exactly the converted call, keep every other node, and not change on a second run.
 * Each run type-checks the program, so the run counts are small; ASYNCGUARD_FC_RUNS raises them.
 */
let temp: { dir: string; cleanup(): void };
let project: Project;
let file: string;

beforeAll(() => {
  temp = makeTempProject({ 'src/case.ts': 'export {};\n' });
  project = new Project({ tsConfigFilePath: join(temp.dir, 'tsconfig.json') });
  file = join(temp.dir, 'src/case.ts');
  project.getProgram().compilerObject.getTypeChecker();
}, 120_000);

afterAll(() => temp.cleanup());

async function run(text: string, transform: TransformId): Promise<{ report: CodemodReport; after: string }> {
  project.createSourceFile(file, text, { overwrite: true });
  const report = await runCodemod({ project, root: temp.dir, paths: [file], transforms: [transform] });
  return { report, after: report.files.find((f) => f.file === 'src/case.ts')?.after ?? text };
}

describe('sync-to-async: fs.readFileSync in generated contexts', () => {
  const isRead: TargetTest = (call) => /^fs\.(readFileSync|promises\.readFile)$/.test(call.expression.getText());
  const rename = (callee: ts.Expression): string | undefined => (isRead(callee.parent as ts.CallExpression) ? 'READ' : undefined);
  // Type errors are not what this test is about (`fs.readFileSync(p) ** 2`), so the file is not type-checked.
  const wrap = (body: string): string =>
    `// @ts-nocheck\nimport * as fs from 'node:fs';\ndeclare const o: any;\ndeclare class C {}\nfunction read(p: string) {\n  ${body}\n}\n`;

  it('converts the call, awaits exactly it and is idempotent', async () => {
    await fc.assert(
      fc.asyncProperty(generated(fc.constant("fs.readFileSync(p, 'utf8')"), true, 3), async (g) => {
        const original = wrap(g.body);
        expect(syntaxErrors(parse(original)), original).toEqual([]);
        const call = single(parse(original), isRead, original);
        const first = await run(original, 'sync-to-async');
        expect(first.report.stops, original).toEqual([]);
        expect(first.report.diagnosticsRolledBack, original).toEqual([]);
        expect(first.after, original).toContain('fs.promises.readFile(');
        // `return f()` outside a try returns the promise itself; `.then` receivers stay promises.
        const returned = ts.isReturnStatement(unwrap(call).parent) && !isInTry(call);
        const receiver = ts.isPropertyAccessExpression(unwrap(call).parent) && /^(then|catch|finally)$/.test((unwrap(call).parent as ts.PropertyAccessExpression).name.text);
        checkAwaited(original, first.after, isRead, !returned && !receiver, rename);
        const second = await run(first.after, 'sync-to-async');
        expect(second.report.files.map((f) => f.file), first.after).toEqual([]);
      }),
      fcOptions(12),
    );
  }, 600_000);
});

describe('add-missing-await: generated returned expressions inside try', () => {
  const leaf = fc.constantFrom('p()', '(p())', 'o.m(p())');
  const expression: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      tie('e').map((e) => `c ? ${e} : 1`),
      tie('e').map((e) => `c ? 1 : (${e})`),
      tie('e').map((e) => `d && (${e})`),
      tie('e').map((e) => `f || (${e})`),
      tie('e').map((e) => `n ?? (${e})`),
      tie('e').map((e) => `(o.f(), ${e})`),
      tie('e').map((e) => `(${e}) as Promise<number> | number | boolean`),
      tie('e').map((e) => `o.q = (${e})`),
    ),
  })).e;
  // Distinct booleans: `c ? c || p() : 1` is just `true` by narrowing, no promise to await.
  const wrap = (statement: string): string =>
    `declare function p(): Promise<number>;\ndeclare const c: boolean;\ndeclare const d: boolean;\ndeclare const f: boolean;\ndeclare const n: Promise<number> | undefined;\ndeclare const o: { f(): void; m(x: Promise<number>): Promise<number>; q: unknown };\n` +
    `export async function run() {\n  o.f()\n  ${statement}\n}\n`;

  it('awaits the whole returned expression once: return await (…)', async () => {
    await fc.assert(
      fc.asyncProperty(expression, async (e) => {
        const original = wrap(`try {\n    return ${e}\n  } finally {\n    o.f()\n  }`);
        expect(syntaxErrors(parse(original)), original).toEqual([]);
        const first = await run(original, 'add-missing-await');
        expect(first.report.diagnosticsRolledBack, original).toEqual([]);
        const after = parse(first.after);
        expect(syntaxErrors(after), first.after).toEqual([]);
        const returned = findReturn(after);
        expect(ts.isAwaitExpression(returned), first.after).toBe(true);
        const operand = (returned as ts.AwaitExpression).expression;
        const inner = ts.isParenthesizedExpression(operand) && !isParenthesizedIn(e) ? operand.expression : operand;
        expect(inner.getText(after), first.after).toBe(findReturn(parse(original)).getText(parse(original)));
        const second = await run(first.after, 'add-missing-await');
        expect(second.report.files.map((f) => f.file), first.after).toEqual([]);
      }),
      fcOptions(12),
    );
  }, 600_000);

  // What add-missing-await does with a statement, by kind: await it, or leave it (handled, a
  // node:test registration, a stop for a pipeline call or a background loop).
  const statements: Array<{ text: string; awaited: boolean; stop?: string }> = [
    { text: 'p()', awaited: true },
    { text: 'o.m(p())', awaited: true },
    { text: 'n?.then(o.f)', awaited: true },
    { text: 'p().then(o.f).finally(o.f)', awaited: true },
    { text: 'p().catch(o.f).finally(o.f)', awaited: false },
    { text: 'p().then(o.f, o.f)', awaited: false },
    { text: "test('t', async () => {})", awaited: false },
    { text: "queue(pipeline, 'k')", awaited: false, stop: 'queues onto pipeline' },
    { text: 'loop()', awaited: false, stop: 'loops on await until it is stopped' },
  ];
  const places = ['plain', 'try', 'catch', 'catch with finally', 'finally'] as const;
  const place = (where: (typeof places)[number], statement: string): string => {
    switch (where) {
      case 'plain': return statement;
      case 'try': return `try {\n    ${statement}\n  } catch {\n    o.f()\n  }`;
      case 'catch': return `try {\n    o.f()\n  } catch {\n    ${statement}\n  }`;
      case 'catch with finally': return `try {\n    o.f()\n  } catch {\n    ${statement}\n  } finally {\n    o.f()\n  }`;
      case 'finally': return `try {\n    o.f()\n  } finally {\n    ${statement}\n  }`;
    }
  };
  const hazards = "import { test } from 'node:test';\ninterface Pipeline { set(k: string): Pipeline; exec(): Promise<unknown> }\n" +
    'declare const pipeline: Pipeline;\nasync function queue(b: Pipeline, k: string): Promise<void> { b.set(k) }\n' +
    'let stopped = false;\nasync function loop(): Promise<void> { while (!stopped) await p() }\n';

  it('awaits floating calls and returns where a rejection would escape, once; leaves handled and hazardous ones', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...statements), fc.constantFrom(...places), fc.boolean(), fc.boolean(),
        async (statement, where, asReturn, semi) => {
          const text = asReturn ? `return ${statement.text}` : statement.text;
          const original = hazards + wrap(place(where, `${text}${semi ? ';' : ''}`));
          const first = await run(original, 'add-missing-await');
          // A returned promise needs await only where it would settle after a handler is left
          // (every statement here is promise-valued); a floating call by its kind.
          const awaited = asReturn ? where === 'try' || where === 'catch with finally' : statement.awaited;
          const stop = asReturn ? undefined : statement.stop;
          expect(first.after, original).toBe(awaited ? original.replace(`  ${text}`, `  ${asReturn ? 'return ' : ''}await ${statement.text}`) : original);
          expect(first.report.stops.map((s) => s.reason), original).toEqual(stop === undefined ? [] : [expect.stringContaining(stop)]);
          const second = await run(first.after, 'add-missing-await');
          expect(second.report.files.map((f) => f.file)).toEqual([]);
        }),
      fcOptions(16),
    );
  }, 300_000);
});

/** The expression as its parent sees it: through parentheses and type-only wrappers (`<T>x`, `x as T`, `x!`, `x satisfies T`). */
function unwrap(expr: ts.Expression): ts.Expression {
  let node = expr;
  while (ts.isParenthesizedExpression(node.parent) || ts.isTypeAssertionExpression(node.parent) || ts.isAsExpression(node.parent) ||
    ts.isNonNullExpression(node.parent) || ts.isSatisfiesExpression(node.parent)) node = node.parent as ts.Expression;
  return node;
}

function isInTry(node: ts.Node): boolean {
  for (let current = node.parent; !ts.isFunctionLike(current); current = current.parent) {
    if (ts.isTryStatement(current)) return true;
  }
  return false;
}

function findReturn(sf: ts.SourceFile): ts.Expression {
  let found: ts.Expression | undefined;
  const visit = (node: ts.Node): void => {
    if (ts.isReturnStatement(node) && node.expression) found = node.expression;
    ts.forEachChild(node, visit);
  };
  visit(sf);
  expect(found).toBeDefined();
  return found!;
}

/** Whether the generated expression is already one parenthesised whole (`(p())`). */
function isParenthesizedIn(e: string): boolean {
  const sf = parse(`x = ${e}`);
  const statement = sf.statements[0] as ts.ExpressionStatement;
  return ts.isParenthesizedExpression((statement.expression as ts.BinaryExpression).right);
}
