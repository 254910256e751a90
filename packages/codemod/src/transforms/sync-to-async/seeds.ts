import { ts } from 'ts-morph';
import { installedMajor } from '../../shared/packageVersion.js';
import { FS_EXTRA_SYNC_APIS, SYNC_APIS, moduleOfDeclaration, type SyncApi } from '../../shared/syncApis.js';
import type { TransformContext, TransformStop } from '../Transform.js';
import { planExec } from './execOptions.js';
import { MockedApis } from './mockedApis.js';
import { lineOf } from './predicates.js';
import type { CallGraph, Seed } from './units.js';

/** Finds the sync API calls (seeds) that start every chain. */
export class Seeds {
  private readonly checker: ts.TypeChecker;

  private readonly mocked: MockedApis;

  constructor(private readonly context: TransformContext, private readonly graph: CallGraph, private readonly stops: TransformStop[]) {
    this.checker = context.checker;
    this.mocked = new MockedApis(context.checker, context.files);
  }

  find(): Seed[] {
    const seeds: Seed[] = [];
    for (const sf of this.context.files) {
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node)) {
          const fsExtra = this.fsExtraApiOf(node);
          const api = typeof fsExtra === 'string' ? undefined : fsExtra ?? this.syncApiOf(node);
          if (typeof fsExtra === 'string') {
            this.stops.push({ file: sf.fileName, pos: node.getStart(sf), reason: fsExtra });
          } else if (api !== undefined) {
            const refusal = this.seedRefusal(node, api);
            const exec = refusal === undefined && api.kind === 'exec' ? planExec(node, api.sync, this.checker) : undefined;
            if (refusal !== undefined || typeof exec === 'string') {
              this.stops.push({ file: sf.fileName, pos: node.getStart(sf), reason: refusal ?? exec as string });
            } else {
              const unit = this.graph.containerUnit(node);
              const seed: Seed = { call: node, api, unit, ...(exec === undefined ? {} : { exec }) };
              unit.seeds.push(seed);
              seeds.push(seed);
            }
          } else {
            const localCopy = this.localCopyOfSyncApi(node);
            const lookalike = localCopy === undefined ? this.unresolvedLookalike(node) : undefined;
            if (localCopy !== undefined) {
              this.stops.push({ file: sf.fileName, pos: node.getStart(sf), reason: localCopy });
            } else if (lookalike !== undefined) {
              this.stops.push({
                file: sf.fileName, pos: node.getStart(sf),
                reason: `${lookalike} looks like a sync ${moduleLabel(lookalike)} call but the type checker can't resolve it to Node's API (missing @types/node, or an untyped module object); not converted: convert it by hand or make it resolvable`,
              });
            }
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
    return seeds;
  }

  private syncApiOf(call: ts.CallExpression): SyncApi | undefined {
    const callee = call.expression;
    const name = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name) ? callee.name : undefined;
    if (name === undefined) return undefined;
    const api = SYNC_APIS.get(name.text);
    if (api === undefined) return undefined;
    if (api.sync === 'randomBytes' && call.arguments.length !== 1) return undefined;
    let symbol = this.checker.getSymbolAtLocation(name);
    if (symbol === undefined) return undefined;
    if (symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    const declaration = symbol.declarations?.[0];
    if (declaration === undefined) return undefined;
    return moduleOfDeclaration(declaration) === api.module ? api : undefined;
  }

  /**
   * A sync call on fs-extra (namespace/default binding or a named binding of `require('fs-extra')`
   * or an import of it), typed or not: its promise-returning twin on the same module, a stop
   * reason (string) when the installed fs-extra is too old or unknown, or undefined when it is no
   * fs-extra call.
   */
  private fsExtraApiOf(call: ts.CallExpression): SyncApi | string | undefined {
    const callee = call.expression;
    const name = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name) ? callee.name : undefined;
    if (name === undefined || !/Sync$/.test(name.text)) return undefined;
    const binding = ts.isPropertyAccessExpression(callee) ? callee.expression : callee;
    if (!ts.isIdentifier(binding) || !FS_EXTRA_REQUIRE.test(this.bindingSource(binding))) return undefined;
    const text = callee.getText();
    const api = FS_EXTRA_SYNC_APIS.get(name.text);
    if (api === undefined) {
      return `${text}: fs-extra's ${name.text} has no promise-returning twin this codemod knows; convert it by hand`;
    }
    if (ts.isIdentifier(callee)) {
      return `${text}: a named binding of fs-extra; call it on the module object (fse.${name.text}) so the call can be rewritten to fse.${api.async}`;
    }
    const major = installedMajor(call.getSourceFile().fileName, 'fs-extra');
    if (major === undefined) {
      return `${text}: can't tell which fs-extra version is installed (no node_modules/fs-extra, no range in package.json); fs-extra returns promises only from 3.0 (${api.async} from ${api.sinceMajor ?? 3}.0); convert it by hand`;
    }
    if (major < (api.sinceMajor ?? 3)) {
      return `${text}: fs-extra ${major}.x's ${api.async} ${major < 3 ? 'returns no promise (promises came in 3.0)' : `is not a promise-returning fs-extra function before ${api.sinceMajor ?? 3}.0`}; upgrade fs-extra or convert it by hand`;
    }
    if (api.async === 'readJson' || api.async === 'readJSON') {
      const options = call.arguments[1];
      if (options && !(ts.isObjectLiteralExpression(options) && options.properties.every((p) => p.name?.getText() !== 'throws' && !ts.isSpreadAssignment(p)))
        && !ts.isStringLiteralLike(options)) {
        return `${text} with options that may set \`throws\`: readJson's error handling differs from readJsonSync's; convert it by hand`;
      }
    }
    return api;
  }

  private seedRefusal(call: ts.CallExpression, api: SyncApi): string | undefined {
    const callee = call.expression;
    if (ts.isPropertyAccessExpression(callee) && !ts.isIdentifier(callee.expression) && !CORE_REQUIRE.test(callee.expression.getText())) {
      return `${api.sync} is called on an expression (${callee.expression.getText()}); import the module first so the call can be rewritten`;
    }
    const mocked = this.mocked.of(api);
    if (mocked !== undefined) {
      return `${api.sync}: the project replaces ${mocked.member === '*' ? `the whole ${api.module} module` : `${api.module}.${api.sync}`} with a mock (${this.context.relative(mocked.where)}); ` +
        `the async ${api.async} is another function, so the tests would no longer use their stand-in: convert the call and its mock together, by hand`;
    }
    const missing = this.missingTwin(api, !ts.isPropertyAccessExpression(callee));
    if (missing !== undefined) {
      return `${api.sync}: the project's @types/node declares no ${missing}, so the converted call would not type-check; upgrade @types/node (Node has had it since ${missing.startsWith('util') ? '8' : missing.startsWith('fs/promises') ? '14' : '10'}) or convert it by hand`;
    }
    return undefined;
  }

  /**
   * The declaration the conversion writes that the program's Node types lack (old @types/node:
   * no `fs.promises` before 10, no `fs/promises` module before 14, no `util.promisify` before 8), else
   * undefined. `named`: the call is through a named binding, so the twin is imported by name.
   */
  private missingTwin(api: SyncApi, named: boolean): string | undefined {
    if (api.module === 'fs-extra') return undefined;
    if (api.kind === 'promises' || api.kind === 'exists') {
      if (named) return this.ambientExport('fs/promises', api.async) ? undefined : `fs/promises module exporting ${api.async}`;
      const promises = this.ambientExport('fs', 'promises');
      if (promises === undefined) return 'fs.promises';
      return this.checker.getTypeOfSymbol(promises).getProperty(api.async) === undefined ? `fs.promises.${api.async}` : undefined;
    }
    return this.ambientExport('util', 'promisify') === undefined ? 'util.promisify' : undefined;
  }

  private readonly ambientModules = new Map<string, ts.Symbol | undefined>();

  /** An export of the core module `name` as the program's Node types declare it (`declare module "fs"`). */
  private ambientExport(name: string, exported: string): ts.Symbol | undefined {
    if (!this.ambientModules.has(name)) {
      const found = this.checker.getAmbientModules().find((m) => m.getName() === `"${name}"` || m.getName() === `"node:${name}"`);
      this.ambientModules.set(name, found);
    }
    const module = this.ambientModules.get(name);
    return module === undefined ? undefined : this.checker.getExportsOfModule(module).find((e) => e.getName() === exported);
  }

  /**
   * A call that looks like a sync API the checker can't resolve: `xxxSync(` on a receiver named
   * like fs/child_process/zlib/crypto, or a bare `readFileSync(` whose binding comes from
   * `require('fs')`/an import of a core module. Returns the call's text (for the stop).
   */
  private unresolvedLookalike(call: ts.CallExpression): string | undefined {
    const callee = call.expression;
    const name = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name) ? callee.name : undefined;
    if (name === undefined || !/Sync$/.test(name.text)) return undefined;
    if (this.resolvesToDeclaredFunction(name)) return undefined;
    if (ts.isPropertyAccessExpression(callee)) {
      const receiver = callee.expression;
      const text = ts.isIdentifier(receiver) ? receiver.text : ts.isCallExpression(receiver) ? receiver.getText() : '';
      if (LOOKALIKE_RECEIVER.test(text) || CORE_REQUIRE.test(text)) return `${text}.${name.text}`;
      return ts.isIdentifier(receiver) && CORE_REQUIRE.test(this.bindingSource(receiver)) ? `${text}.${name.text}` : undefined;
    }
    return CORE_REQUIRE.test(this.bindingSource(name)) || (this.checker.getSymbolAtLocation(name) === undefined && SYNC_APIS.has(name.text))
      ? name.text : undefined;
  }

  /**
   * `let { existsSync } = fs; … existsSync(p)`: a variable destructured from a core module object
   * (not a `require`/import binding, which the checker resolves). It may be reassigned, and the
   * call can't be rewritten through it: a stop naming it.
   */
  private localCopyOfSyncApi(call: ts.CallExpression): string | undefined {
    const callee = call.expression;
    if (!ts.isIdentifier(callee)) return undefined;
    const declaration = this.checker.getSymbolAtLocation(callee)?.declarations?.[0];
    if (declaration === undefined || !ts.isBindingElement(declaration) || !ts.isObjectBindingPattern(declaration.parent)) return undefined;
    const holder = declaration.parent.parent;
    if (!ts.isVariableDeclaration(holder) || holder.initializer === undefined || !ts.isIdentifier(holder.initializer)) return undefined;
    const property = declaration.propertyName ?? declaration.name;
    if (!ts.isIdentifier(property) || !SYNC_APIS.has(property.text)) return undefined;
    const source = this.bindingSource(holder.initializer);
    if (!CORE_REQUIRE.test(source)) return undefined;
    const module = holder.initializer.text;
    return `${callee.text} is a variable destructured from ${module} (${module}.${property.text}) at line ${lineOf(holder)}${(holder.parent.flags & ts.NodeFlags.Const) === 0 ? ' and may be reassigned' : ''}: a call through it can't be rewritten; call ${module}.${property.text} directly, or convert it by hand`;
  }

  /** Where a binding comes from, as `require('<module>')` text (for a require or an import), else ''. */
  private bindingSource(id: ts.Identifier): string {
    const declaration = this.checker.getSymbolAtLocation(id)?.declarations?.[0];
    if (declaration === undefined) return '';
    let node: ts.Node = declaration;
    while (!ts.isSourceFile(node) && !ts.isVariableDeclaration(node) && !ts.isImportDeclaration(node)) node = node.parent;
    return ts.isVariableDeclaration(node) ? node.initializer?.getText() ?? '' : ts.isImportDeclaration(node) ? `require(${node.moduleSpecifier.getText()})` : '';
  }

  /** True when the name resolves to a typed function (Node's API or something else the checker knows). */
  private resolvesToDeclaredFunction(name: ts.Identifier): boolean {
    const type = this.checker.getTypeAtLocation(name);
    return (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) === 0 && type.getCallSignatures().length > 0;
  }
}

const LOOKALIKE_RECEIVER = /^(fs|FS|fse|fsExtra|nodeFs|childProcess|child_process|cp|zlib|crypto)$/;
const FS_EXTRA_REQUIRE = /^require\(\s*['"]fs-extra['"]\s*\)$/;
const CORE_REQUIRE = /^require\(\s*['"](node:)?(fs|fs\/promises|child_process|zlib|crypto)['"]\s*\)$/;

function moduleLabel(text: string): string {
  return /exec|spawn/i.test(text) ? 'child_process' : /gzip|gunzip|deflate|inflate|unzip|brotli/i.test(text) ? 'zlib' :
    /pbkdf2|scrypt|random/i.test(text) ? 'crypto' : 'fs';
}

