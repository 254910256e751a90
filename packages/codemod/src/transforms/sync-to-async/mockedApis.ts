import { ts } from 'ts-morph';
import type { SyncApi } from '../../shared/syncApis.js';
import { importedFrom, mockingCall } from './escapes.js';
import { lineOf, moduleObjectOf, skipParens } from './predicates.js';

/** Every member of the module is replaced. */
const WHOLE = '*';
const MODULES = /^(?:node:)?(fs|child_process|zlib|crypto|fs-extra)$/;

/**
 * The sync APIs that the project's own code (its tests, in practice) replaces with a mock or a
 * monkey-patch, keyed `module.member` (`module.*` for the whole module), each with where it
 * happens (`file:line`). A call of such an API must stay synchronous: its asynchronous twin
 * (`fs.promises.readFile` for `fs.readFileSync`) is another function, so the tests' stand-in would
 * no longer be called and the tests would read the real disk or run the real command.
 *
 * Recognised: node:test's `mock.method(fs, 'readFileSync')`, sinon's `stub/spy/replace(fs, …)`,
 * jest/vitest `spyOn(fs, …)` (whole module when the member is not a string literal or absent);
 * `jest.mock('fs')`, `vi.mock('node:fs')`, node:test's `mock.module('fs')` and
 * `proxyquire(path, { fs: … })` (whole module); `fs.readFileSync = …` (that member).
 */
export class MockedApis {
  private found: Map<string, { member: string; where: string }> | undefined;

  constructor(private readonly checker: ts.TypeChecker, private readonly files: readonly ts.SourceFile[]) {}

  /** Where `api` is mocked (the member named, or `*` for the whole module; `where` is file:line), or undefined. */
  of(api: SyncApi): { member: string; where: string } | undefined {
    const found = (this.found ??= this.scan());
    return found.get(`${api.module}.${api.sync}`) ?? found.get(`${api.module}.${WHOLE}`);
  }

  private scan(): Map<string, { member: string; where: string }> {
    const found = new Map<string, { member: string; where: string }>();
    const note = (module: string, member: string, node: ts.Node): void => {
      const key = `${module}.${member}`;
      if (!found.has(key)) found.set(key, { member, where: `${node.getSourceFile().fileName}:${lineOf(node)}` });
    };
    for (const sf of this.files) {
      if (!MOCK_HINT.test(sf.text)) continue;
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node)) this.call(node, note);
        else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
          const target = skipParens(node.left);
          if (ts.isPropertyAccessExpression(target)) {
            const module = this.coreModuleOf(target.expression);
            if (module !== undefined) note(module, target.name.text, node);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
    return found;
  }

  private call(call: ts.CallExpression, note: (module: string, member: string, node: ts.Node) => void): void {
    const first = call.arguments[0];
    if (first === undefined) return;
    const module = this.coreModuleOf(first);
    if (module !== undefined) {
      const mock = mockingCall(this.checker, call, first);
      if (mock !== undefined) note(module, mock.mocked ?? WHOLE, call);
      return;
    }
    const callee = skipParens(call.expression);
    const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
    // jest.mock('fs') / vi.mock('node:fs') / mock.module('fs'): the whole module, whatever the factory.
    if ((method === 'mock' || method === 'module' || method === 'doMock') && ts.isStringLiteralLike(first)) {
      const match = MODULES.exec(first.text);
      const receiver = ts.isPropertyAccessExpression(callee) ? skipParens(callee.expression) : undefined;
      const mocker = receiver !== undefined && (ts.isIdentifier(receiver) ? MOCKERS.has(receiver.text) : ts.isPropertyAccessExpression(receiver) && receiver.name.text === 'mock');
      if (match !== null && mocker) {
        note(match[1]!, WHOLE, call);
      }
      return;
    }
    // proxyquire('./x', { fs: {...} }) / proxyquire.noCallThru()(…): stubs by module name.
    const stubs = call.arguments[1];
    if (stubs !== undefined && ts.isObjectLiteralExpression(stubs) && isProxyquire(this.checker, callee)) {
      for (const property of stubs.properties) {
        const name = property.name === undefined ? undefined : ts.isIdentifier(property.name) || ts.isStringLiteralLike(property.name) ? property.name.text : undefined;
        const match = name === undefined ? null : MODULES.exec(name);
        if (match !== null) note(match[1]!, WHOLE, property);
      }
    }
  }

  /** The core module (or fs-extra) an expression holds whole: a binding of it, or `require('fs')` itself. */
  private coreModuleOf(expression: ts.Expression): string | undefined {
    const node = skipParens(expression);
    let specifier: string | undefined;
    // `const { readFileSync } = require('fs')` binds a function, not the module: no module object.
    if (ts.isIdentifier(node)) specifier = moduleObjectOf(this.checker, node)?.specifier;
    else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require' && node.arguments.length === 1) {
      const argument = node.arguments[0]!;
      if (ts.isStringLiteralLike(argument)) specifier = argument.text;
    }
    return specifier === undefined ? undefined : MODULES.exec(specifier)?.[1];
  }
}

const MOCK_HINT = /\b(mock|stub|spy|spyOn|replace|proxyquire)\b|\.\w+Sync\s*=|\brandomBytes\s*=/;
const MOCKERS = new Set(['jest', 'vi', 'mock']);

function isProxyquire(checker: ts.TypeChecker, callee: ts.Expression): boolean {
  let root = callee;
  while (ts.isCallExpression(root) || ts.isPropertyAccessExpression(root)) root = skipParens(root.expression);
  return ts.isIdentifier(root) && importedFrom(checker, root) === 'proxyquire';
}
