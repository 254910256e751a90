import { ts } from 'ts-morph';
import { SYNC_APIS, moduleOfDeclarationFile, type SyncApi } from '../../shared/syncApis.js';
import type { TransformContext, TransformStop } from '../Transform.js';
import type { CallGraph, Seed } from './units.js';

/** Finds the sync API calls (seeds) that start every chain. */
export class Seeds {
  private readonly checker: ts.TypeChecker;

  constructor(private readonly context: TransformContext, private readonly graph: CallGraph, private readonly stops: TransformStop[]) {
    this.checker = context.checker;
  }

  find(): Seed[] {
    const seeds: Seed[] = [];
    for (const sf of this.context.files) {
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node)) {
          const api = this.syncApiOf(node);
          if (api !== undefined) {
            const refusal = this.seedRefusal(node, api);
            if (refusal !== undefined) {
              this.stops.push({ file: sf.fileName, pos: node.getStart(sf), reason: refusal });
            } else {
              const unit = this.graph.containerUnit(node);
              const seed: Seed = { call: node, api, unit };
              unit.seeds.push(seed);
              seeds.push(seed);
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
    return moduleOfDeclarationFile(declaration.getSourceFile().fileName) === api.module ? api : undefined;
  }

  private seedRefusal(call: ts.CallExpression, api: SyncApi): string | undefined {
    const callee = call.expression;
    if (ts.isPropertyAccessExpression(callee) && !ts.isIdentifier(callee.expression)) {
      return `${api.sync} is called on an expression (${callee.expression.getText()}); import the module first so the call can be rewritten`;
    }
    if (api.kind === 'exec') {
      const options = call.arguments[api.sync === 'execSync' ? 1 : 2] ?? (api.sync === 'execFileSync' ? call.arguments[1] : undefined);
      if (options && ts.isObjectLiteralExpression(options)) {
        for (const property of options.properties) {
          const key = property.name && ts.isIdentifier(property.name) ? property.name.text : undefined;
          if (key === 'stdio' || key === 'input') {
            return `${api.sync} with the \`${key}\` option has no exec/execFile equivalent; convert it by hand (spawn)`;
          }
        }
      }
    }
    return undefined;
  }
}
