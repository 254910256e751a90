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
        const returned = ts.isReturnStatement(call.parent) && !isInTry(call);
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

  it('awaits a floating call statement after a line without ;, once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('p()', 'o.m(p())', 'n?.then(o.f)', 'Promise.race([p()]).then(o.f)'), async (call) => {
        const original = wrap(call);
        const first = await run(original, 'add-missing-await');
        expect(first.after, original).toBe(wrap(`await ${call}`));
        const second = await run(first.after, 'add-missing-await');
        expect(second.report.files.map((f) => f.file)).toEqual([]);
      }),
      fcOptions(4),
    );
  }, 300_000);
});

function unwrap(expr: ts.Expression): ts.Expression {
  let node = expr;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
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
