import { ts } from 'ts-morph';
import { insertion, prefixRank, replacement, type TextEdit } from './textEdit.js';

/** Something a chain needs in a file besides its own edits; the planner merges them per file. */
export type Need =
  | { kind: 'import'; file: string; module: string; name: string; local: string }
  | { kind: 'helper'; file: string; key: string; text: string }
  /** The chain removes `count` of the uses of the imported binding `local`; drop it when none remain. */
  | { kind: 'release'; file: string; local: string; count: number };

const BUILTINS = new Set(['fs', 'fs/promises', 'child_process', 'util', 'zlib', 'crypto', 'path', 'os', 'url', 'events', 'stream']);

export interface FileStyle {
  module: 'esm' | 'cjs';
  quote: "'" | '"';
  semi: string;
  nodePrefix: boolean;
  newline: string;
}

interface ImportSite {
  statement: ts.Statement;
  moduleName: string;
  /** `{ a, b as c }` of an ESM import or `{ a, b: c }` of a destructured require. */
  list: ts.NamedImports | ts.ObjectBindingPattern | undefined;
  hasOther: boolean;
}

/**
 * Adds and merges imports in the style the file already uses (ESM `import` or CommonJS `require`,
 * quotes, semicolons, `node:` prefix), allocates names that don't collide, and drops bindings
 * whose every use a transform replaced. Built once per program, shared by every transform.
 */
export class ImportPlanner {
  private readonly identifiers = new Map<ts.SourceFile, Set<string>>();
  private readonly allocated = new Map<ts.SourceFile, Map<string, string>>();

  constructor(private readonly program?: ts.Program) {}

  /** The module format TypeScript gives the file (package.json "type", extension, module option). */
  format(sf: ts.SourceFile): ts.ResolutionMode {
    const program = this.program as (ts.Program & { getImpliedNodeFormatForEmit?(file: ts.SourceFile): ts.ResolutionMode }) | undefined;
    const known = program?.getImpliedNodeFormatForEmit?.(sf) ?? sf.impliedNodeFormat;
    if (known !== undefined) return known;
    let cached = this.formats.get(sf);
    if (cached === undefined) {
      cached = ts.getImpliedNodeFormatForFile(sf.fileName, undefined, ts.sys, this.program?.getCompilerOptions() ?? {}) ?? ts.ModuleKind.CommonJS;
      this.formats.set(sf, cached);
    }
    return cached;
  }

  private readonly formats = new Map<ts.SourceFile, ts.ResolutionMode>();

  private readonly styles = new Map<ts.SourceFile, FileStyle>();
  private readonly sites = new Map<ts.SourceFile, ImportSite[]>();

  /** The file's top-level imports, read once per file (asked for every change that adds one). */
  private importSitesOf(sf: ts.SourceFile): ImportSite[] {
    let sites = this.sites.get(sf);
    if (sites === undefined) this.sites.set(sf, (sites = importSites(sf)));
    return sites;
  }

  style(sf: ts.SourceFile): FileStyle {
    let style = this.styles.get(sf);
    if (style === undefined) this.styles.set(sf, (style = this.detectStyle(sf)));
    return style;
  }

  private detectStyle(sf: ts.SourceFile): FileStyle {
    const sites = this.importSitesOf(sf);
    const esmImport = sf.statements.some(ts.isImportDeclaration);
    const requires = sites.some((s) => !ts.isImportDeclaration(s.statement));
    const isJs = /\.(c|m)?jsx?$/.test(sf.fileName);
    const module: FileStyle['module'] = esmImport
      ? 'esm'
      : requires || sf.fileName.endsWith('.cjs') || (isJs && this.format(sf) === ts.ModuleKind.CommonJS && !sf.fileName.endsWith('.mjs'))
        ? 'cjs'
        : 'esm';
    const first = sites[0];
    const firstText = first?.statement.getText(sf) ?? '';
    const quote = /"/.test(firstText.replace(/'[^']*'/g, '')) ? '"' : first ? "'" : detectQuote(sf);
    const semi = first ? (firstText.trimEnd().endsWith(';') ? ';' : '') : detectSemi(sf);
    const builtinSites = sites.filter((s) => BUILTINS.has(s.moduleName.replace(/^node:/, '')));
    const nodePrefix = builtinSites.length === 0 || builtinSites.some((s) => s.moduleName.startsWith('node:'));
    const newline = sf.text.includes('\r\n') ? '\r\n' : '\n';
    return { module, quote, semi, nodePrefix, newline };
  }

  specifier(sf: ts.SourceFile, module: string): string {
    return BUILTINS.has(module) && this.style(sf).nodePrefix ? `node:${module}` : module;
  }

  /**
   * The local name under which `name` from `module` is (or will be) bound in `sf`. A binding of
   * that name imported from another specifier is reused when the type checker resolves it to the
   * same declaration (a re-export, a deep path): no `withTimeout as withTimeout2` beside it.
   */
  importLocal(sf: ts.SourceFile, module: string, name: string): string {
    const sites = this.importSitesOf(sf);
    for (const site of sites) {
      if (site.moduleName.replace(/^node:/, '') !== module || site.list === undefined) continue;
      for (const element of site.list.elements) {
        const imported = importedName(element);
        if (imported === name) return element.name.getText(sf);
      }
    }
    const target = this.exportedDeclaration(sf, module, name);
    if (target !== undefined) {
      for (const site of sites) {
        if (site.list === undefined || isTypeOnly(site.statement)) continue;
        for (const element of site.list.elements) {
          if (!ts.isIdentifier(element.name) || element.name.text !== name) continue;
          if (this.resolvedDeclaration(element.name) !== target) continue;
          let reused = this.reused.get(sf);
          if (reused === undefined) this.reused.set(sf, (reused = new Set()));
          reused.add(`${module}\0${name}`);
          return name;
        }
      }
    }
    return this.freeName(sf, name, `import:${module}:${name}`);
  }

  /** `module:name` pairs whose need is met by a binding of the same declaration under another specifier. */
  private readonly reused = new Map<ts.SourceFile, Set<string>>();

  /** The declaration `name` exported by `module` resolves to, as `sf` would import it. */
  private exportedDeclaration(sf: ts.SourceFile, module: string, name: string): ts.Declaration | undefined {
    const program = this.program;
    if (program === undefined) return undefined;
    const checker = program.getTypeChecker();
    // As the checker does: a `declare module '…'` block wins over a file the name resolves to.
    let moduleSymbol = checker.getAmbientModules().find((m) => m.name === `"${module}"`);
    if (moduleSymbol === undefined) {
      const resolved = ts.resolveModuleName(module, sf.fileName, program.getCompilerOptions(), ts.sys, undefined, undefined, this.format(sf)).resolvedModule;
      const moduleFile = resolved === undefined ? undefined : program.getSourceFile(resolved.resolvedFileName);
      moduleSymbol = moduleFile === undefined ? undefined : checker.getSymbolAtLocation(moduleFile);
    }
    const exported = moduleSymbol === undefined ? undefined : checker.getExportsOfModule(moduleSymbol).find((s) => s.name === name);
    if (exported === undefined) return undefined;
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    return symbol.declarations?.[0];
  }

  private resolvedDeclaration(identifier: ts.Identifier): ts.Declaration | undefined {
    const checker = this.program?.getTypeChecker();
    const symbol = checker?.getSymbolAtLocation(identifier);
    if (checker === undefined || symbol === undefined) return undefined;
    return (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol).declarations?.[0];
  }

  /** A top-level name free in `sf`, stable per `key` within this planner. */
  freeName(sf: ts.SourceFile, base: string, key = base): string {
    let perFile = this.allocated.get(sf);
    if (perFile === undefined) this.allocated.set(sf, (perFile = new Map()));
    const known = perFile.get(key);
    if (known !== undefined) return known;
    const taken = this.identifiersOf(sf);
    const used = new Set(perFile.values());
    let candidate = base;
    for (let n = 2; taken.has(candidate) || used.has(candidate); n++) candidate = `${base}${n}`;
    perFile.set(key, candidate);
    return candidate;
  }

  /** True when `name` is declared or used anywhere in the file. */
  mentions(sf: ts.SourceFile, name: string): boolean {
    return this.identifiersOf(sf).has(name);
  }

  /** Number of identifier uses of `local` in the file outside import/require bindings. */
  countUses(sf: ts.SourceFile, local: string): number {
    let count = 0;
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node) && node.text === local && !isBindingName(node)) count++;
      ts.forEachChild(node, visit);
    };
    visit(sf);
    return count;
  }

  private identifiersOf(sf: ts.SourceFile): Set<string> {
    let set = this.identifiers.get(sf);
    if (set === undefined) {
      set = new Set();
      const visit = (node: ts.Node): void => {
        if (ts.isIdentifier(node)) set!.add(node.text);
        ts.forEachChild(node, visit);
      };
      visit(sf);
      this.identifiers.set(sf, set);
    }
    return set;
  }

  /** The import and helper edits for `sf` given the needs of the chains still active. */
  materialize(sf: ts.SourceFile, needs: readonly Need[]): TextEdit[] {
    const style = this.style(sf);
    const file = sf.fileName;
    const adds = new Map<string, Map<string, string>>(); // module -> local -> element text
    const releases = new Map<string, number>();
    const helpers = new Map<string, string>();
    const reused = this.reused.get(sf);
    for (const need of needs) {
      if (need.kind === 'import' && need.local === need.name && reused?.has(`${need.module}\0${need.name}`) === true) continue;
      if (need.kind === 'import') {
        let perModule = adds.get(need.module);
        if (perModule === undefined) adds.set(need.module, (perModule = new Map()));
        const text = style.module === 'esm'
          ? need.local === need.name ? need.name : `${need.name} as ${need.local}`
          : need.local === need.name ? need.name : `${need.name}: ${need.local}`;
        perModule.set(need.local, text);
      } else if (need.kind === 'release') {
        releases.set(need.local, (releases.get(need.local) ?? 0) + need.count);
      } else {
        helpers.set(need.key, need.text);
      }
    }
    const released = new Set<string>();
    for (const [local, count] of releases) {
      if (count >= this.countUses(sf, local)) released.add(local);
    }
    const edits: TextEdit[] = [];
    const sites = this.importSitesOf(sf);
    // Drop the adds already bound in the file.
    for (const site of sites) {
      if (site.list === undefined) continue;
      const perModule = adds.get(site.moduleName.replace(/^node:/, ''));
      if (perModule === undefined) continue;
      for (const element of site.list.elements) perModule.delete(element.name.getText(sf));
    }
    const handledModules = new Set<string>();
    const deleted = new Set<ts.Statement>();
    for (const site of sites) {
      const moduleKey = site.moduleName.replace(/^node:/, '');
      const list = site.list;
      if (ts.isImportDeclaration(site.statement)) {
        const clause = site.statement.importClause;
        const defaultName = clause?.name?.text;
        if (defaultName !== undefined && released.has(defaultName) &&
          (clause?.namedBindings === undefined || (list !== undefined && list.elements.every((e) => released.has(e.name.getText(sf)))))) {
          edits.push(replacement(file, site.statement.getStart(sf), lineEnd(sf, site.statement.end), ''));
          deleted.add(site.statement);
          continue;
        }
      }
      if (list === undefined) continue;
      const mergeable = (style.module === 'esm') === ts.isImportDeclaration(site.statement) && !isTypeOnly(site.statement);
      const toAdd = mergeable && !handledModules.has(moduleKey) ? [...(adds.get(moduleKey)?.values() ?? [])] : [];
      if (toAdd.length > 0) handledModules.add(moduleKey);
      const kept = list.elements.filter((e) => !released.has(e.name.getText(sf)));
      const removed = kept.length !== list.elements.length;
      if (!removed && toAdd.length === 0) continue;
      if (removed && kept.length === 0 && toAdd.length === 0 && !site.hasOther) {
        edits.push(replacement(file, site.statement.getStart(sf), lineEnd(sf, site.statement.end), ''));
        deleted.add(site.statement);
        continue;
      }
      if (!removed) {
        const last = list.elements[list.elements.length - 1];
        const at = last ? last.end : list.getStart(sf) + 1;
        edits.push(insertion(file, at, (last ? ', ' : ' ') + toAdd.join(', ') + (last ? '' : ' '), prefixRank(at)));
        continue;
      }
      const texts = [...kept.map((e) => e.getText(sf)), ...toAdd];
      const original = list.getText(sf);
      let body: string;
      if (original.includes('\n')) {
        const indent = /\n([ \t]*)\S/.exec(original)?.[1] ?? '  ';
        const trailing = list.elements.hasTrailingComma ? ',' : '';
        body = `{${style.newline}${texts.map((t) => indent + t).join(`,${style.newline}`)}${trailing}${style.newline}}`;
      } else {
        body = texts.length === 0 ? '{}' : `{ ${texts.join(', ')} }`;
      }
      edits.push(replacement(file, list.getStart(sf), list.end, body));
    }
    const lines: string[] = [];
    for (const [module, perModule] of [...adds].sort(([a], [b]) => a.localeCompare(b))) {
      if (handledModules.has(module) || perModule.size === 0) continue;
      const spec = `${style.quote}${this.specifier(sf, module)}${style.quote}`;
      const names = [...perModule.values()].join(', ');
      lines.push(style.module === 'esm' ? `import { ${names} } from ${spec}${style.semi}` : `const { ${names} } = require(${spec})${style.semi}`);
    }
    const helperTexts = [...helpers].sort(([a], [b]) => a.localeCompare(b)).map(([, text]) => text);
    if (lines.length > 0 || helperTexts.length > 0) {
      const nl = style.newline;
      const kept = sites.filter((s) => !deleted.has(s.statement));
      const lastImport = kept[kept.length - 1]?.statement;
      const importBlock = lines.join(nl);
      // One-line helpers (`const execAsync = promisify(exec);`) sit together; functions get a blank line.
      const helperBlock = helperTexts.reduce((block, text, i) => {
        if (i === 0) return text;
        const tight = !text.includes('\n') && !helperTexts[i - 1]!.includes('\n');
        return block + (tight ? nl : nl + nl) + text;
      }, '');
      const firstDeleted = sites.find((s) => deleted.has(s.statement))?.statement;
      if (lastImport === undefined && firstDeleted !== undefined) {
        let text = importBlock === '' ? '' : importBlock + nl;
        if (helperBlock !== '') text += nl + helperBlock + nl;
        edits.push(insertion(file, firstDeleted.getStart(sf), text, prefixRank(Number.MAX_SAFE_INTEGER)));
      } else if (lastImport !== undefined) {
        let text = importBlock === '' ? '' : nl + importBlock;
        if (helperBlock !== '') text += nl + nl + helperBlock;
        edits.push(insertion(file, lastImport.end, text, prefixRank(Number.MAX_SAFE_INTEGER)));
      } else {
        const first = sf.statements[0];
        const at = first ? first.getStart(sf) : sf.text.length;
        let text = importBlock === '' ? '' : importBlock + nl;
        if (helperBlock !== '') text += (importBlock === '' ? '' : nl) + helperBlock + nl;
        edits.push(insertion(file, at, text + (first ? nl : ''), prefixRank(Number.MAX_SAFE_INTEGER)));
      }
    }
    return edits;
  }
}

function detectQuote(sf: ts.SourceFile): "'" | '"' {
  let single = 0;
  let double = 0;
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node)) {
      if (sf.text[node.getStart(sf)] === '"') double++;
      else single++;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return double > single ? '"' : "'";
}

function detectSemi(sf: ts.SourceFile): string {
  const first = sf.statements.find((s) => ts.isExpressionStatement(s) || ts.isVariableStatement(s));
  if (first === undefined) return ';';
  return first.getText(sf).trimEnd().endsWith(';') ? ';' : '';
}

function lineEnd(sf: ts.SourceFile, pos: number): number {
  if (sf.text.startsWith('\r\n', pos)) return pos + 2;
  if (sf.text[pos] === '\n') return pos + 1;
  return pos;
}

function isTypeOnly(statement: ts.Statement): boolean {
  return ts.isImportDeclaration(statement) && (statement.importClause?.isTypeOnly ?? false);
}

function importedName(element: ts.ImportSpecifier | ts.BindingElement): string {
  if (ts.isImportSpecifier(element)) return (element.propertyName ?? element.name).getText();
  const property = element.propertyName ?? element.name;
  return ts.isIdentifier(property) ? property.text : property.getText();
}

function isBindingName(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isImportSpecifier(parent) || ts.isImportClause(parent) || ts.isNamespaceImport(parent)) return true;
  if (ts.isBindingElement(parent) && ts.isObjectBindingPattern(parent.parent)) {
    const declaration = parent.parent.parent;
    if (ts.isVariableDeclaration(declaration) && declaration.initializer && isRequireCall(declaration.initializer)) return true;
  }
  return false;
}

export function isRequireCall(node: ts.Node): node is ts.CallExpression {
  return ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require' &&
    node.arguments.length === 1 && ts.isStringLiteralLike(node.arguments[0]!);
}

/** Top-level `import … from 'm'` and `const … = require('m')` statements, in order. */
export function importSites(sf: ts.SourceFile): ImportSite[] {
  const sites: ImportSite[] = [];
  for (const statement of sf.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const bindings = statement.importClause?.namedBindings;
      sites.push({
        statement,
        moduleName: statement.moduleSpecifier.text,
        list: bindings && ts.isNamedImports(bindings) ? bindings : undefined,
        hasOther: statement.importClause?.name !== undefined || (bindings !== undefined && !ts.isNamedImports(bindings)),
      });
    } else if (ts.isVariableStatement(statement) && statement.declarationList.declarations.length === 1) {
      const declaration = statement.declarationList.declarations[0]!;
      if (declaration.initializer && isRequireCall(declaration.initializer)) {
        const spec = declaration.initializer.arguments[0] as ts.StringLiteral;
        sites.push({
          statement,
          moduleName: spec.text,
          list: ts.isObjectBindingPattern(declaration.name) ? declaration.name : undefined,
          hasOther: false,
        });
      }
    }
  }
  return sites;
}
