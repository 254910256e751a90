import { DEFAULT_BUDGETS } from '@asyncguard/runtime';
import { ts } from 'ts-morph';
import { insertion, prefixRank, suffixRank } from '../textEdit.js';
import { hasCommandTimeout, isIoredisClientType } from '../shared/redisClients.js';
import { forEachNodeBottomUp } from '../shared/syntax.js';
import type { ChangeChain, Transform, TransformContext, TransformResult, TransformStop } from './Transform.js';

const SIMPLE_COMMANDS = new Set([
  'get', 'set', 'getex', 'getdel', 'setex', 'psetex', 'setnx', 'mget', 'mset', 'incr', 'incrby', 'decr', 'decrby', 'del', 'unlink',
  'exists', 'expire', 'pexpire', 'expireat', 'ttl', 'pttl', 'persist', 'type', 'rename', 'append', 'strlen', 'hget', 'hset',
  'hsetnx', 'hmget', 'hmset', 'hgetall', 'hdel', 'hexists', 'hincrby', 'hkeys', 'hvals', 'hlen', 'lpush', 'rpush', 'lpop', 'rpop',
  'lrange', 'llen', 'lindex', 'lrem', 'ltrim', 'sadd', 'srem', 'smembers', 'sismember', 'scard', 'zadd', 'zrem', 'zrange',
  'zrangebyscore', 'zrevrange', 'zscore', 'zincrby', 'zcard', 'zcount', 'publish', 'ping', 'eval', 'evalsha', 'xadd', 'xrange',
  'xlen', 'xack', 'keys',
]);
const SCAN_COMMANDS = new Set(['scan', 'sscan', 'hscan', 'zscan']);
const BLOCKING_COMMANDS = new Set(['blpop', 'brpop', 'brpoplpush', 'blmove', 'bzpopmin', 'bzpopmax', 'xread', 'xreadgroup', 'subscribe', 'psubscribe']);

/**
 * Wraps raw ioredis command calls in `withTimeout(call, budget)` from @asyncguard/runtime, with the
 * category budget from DEFAULT_BUDGETS. Skips calls already wrapped and clients built with
 * `commandTimeout`; stops at blocking commands, whose own timeout a budget would cut.
 */
export const redisTimeouts: Transform = {
  id: 'redis-timeouts',
  summary: 'raw ioredis calls run under withTimeout(call, <budget>) from @asyncguard/runtime',
  run(context: TransformContext): TransformResult {
    const { checker, planner } = context;
    const chains: ChangeChain[] = [];
    const stops: TransformStop[] = [];
    forEachNodeBottomUp(context.files, (node, sf) => {
      if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression) || !ts.isIdentifier(node.expression.name)) return;
      const command = node.expression.name.text;
      const simple = SIMPLE_COMMANDS.has(command);
      const scan = SCAN_COMMANDS.has(command);
      const blocking = BLOCKING_COMMANDS.has(command);
      if (!simple && !scan && !blocking) return;
      const receiver = node.expression.expression;
      if (!isIoredisClientType(checker.getTypeAtLocation(receiver))) return;
      if (isWrapped(node, checker) || clientHasCommandTimeout(checker, receiver)) return;
      if (blocking) {
        stops.push({
          file: sf.fileName, pos: node.getStart(sf),
          reason: `blocking command ${command.toUpperCase()} keeps its own timeout argument; run it on a dedicated connection (the RedisManager's blocking pool) rather than under a command budget`,
        });
        return;
      }
      const budget = scan ? DEFAULT_BUDGETS.redisScan : DEFAULT_BUDGETS.redis;
      const local = planner.importLocal(sf, '@asyncguard/runtime', 'withTimeout');
      const start = node.getStart(sf);
      chains.push({
        transform: 'redis-timeouts',
        edits: [
          insertion(sf.fileName, start, `${local}(`, prefixRank(node.end + 1)),
          insertion(sf.fileName, node.end, `, ${budget})`, suffixRank(start - 1)),
        ],
        needs: [{ kind: 'import', file: sf.fileName, module: '@asyncguard/runtime', name: 'withTimeout', local }],
        changes: [{ file: sf.fileName, pos: start, description: `${command.toUpperCase()} under withTimeout(…, ${budget})` }],
      });
    });
    return { chains, stops };
  },
};

/** True when the call is already under a `withTimeout`, by that name or imported as another (`withTimeout as withTimeout2`). */
function isWrapped(call: ts.CallExpression, checker: ts.TypeChecker): boolean {
  let node: ts.Node = call;
  while (ts.isParenthesizedExpression(node.parent) || ts.isAwaitExpression(node.parent)) node = node.parent;
  let parent = node.parent;
  if ((ts.isArrowFunction(parent) && parent.body === node)) parent = parent.parent;
  if (!ts.isCallExpression(parent)) return false;
  const callee = parent.expression;
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  if (name === 'withTimeout') return true;
  const symbol = ts.isIdentifier(callee) ? checker.getSymbolAtLocation(callee) : undefined;
  return symbol !== undefined && (symbol.flags & ts.SymbolFlags.Alias) !== 0 && checker.getAliasedSymbol(symbol).name === 'withTimeout';
}

function clientHasCommandTimeout(checker: ts.TypeChecker, receiver: ts.Expression): boolean {
  const symbol = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(receiver) ? receiver.name : receiver);
  for (const declaration of symbol?.declarations ?? []) {
    if ((ts.isVariableDeclaration(declaration) || ts.isPropertyDeclaration(declaration)) && hasCommandTimeout(declaration.initializer)) return true;
    if (ts.isPropertyDeclaration(declaration) && ts.isClassLike(declaration.parent)) {
      const name = declaration.name.getText();
      let found = false;
      const scan = (n: ts.Node): void => {
        if (found) return;
        if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left) &&
          n.left.expression.kind === ts.SyntaxKind.ThisKeyword && n.left.name.text === name && hasCommandTimeout(n.right)) {
          found = true;
          return;
        }
        ts.forEachChild(n, scan);
      };
      scan(declaration.parent);
      if (found) return true;
    }
  }
  return false;
}
