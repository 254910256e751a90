/** Matching findings of two rules or two modes by location, and the statistics the report quotes. */
import type { Finding } from './types.js';

export interface Match {
  both: [Finding, Finding][];
  onlyA: Finding[];
  onlyB: Finding[];
}

/**
 * Pairs findings of `a` and `b` at the same file:line:column, then the rest at the same file:line
 * (the rules may report the statement or the call inside it, which start on the same line).
 */
export function matchFindings(a: Finding[], b: Finding[]): Match {
  const both: [Finding, Finding][] = [];
  let restA = [...a];
  let restB = [...b];
  for (const key of [(f: Finding) => `${f.file}:${f.line}:${f.column}`, (f: Finding) => `${f.file}:${f.line}`]) {
    const pool = new Map<string, Finding[]>();
    for (const f of restB) pool.set(key(f), [...(pool.get(key(f)) ?? []), f]);
    const leftA: Finding[] = [];
    for (const f of restA) {
      const candidates = pool.get(key(f));
      const partner = candidates?.shift();
      if (partner) both.push([f, partner]);
      else leftA.push(f);
    }
    restA = leftA;
    restB = [...pool.values()].flat();
  }
  const order = (x: Finding, y: Finding): number => x.file.localeCompare(y.file) || x.line - y.line || x.column - y.column;
  return { both, onlyA: restA.sort(order), onlyB: restB.sort(order) };
}

export const byRule = (findings: Finding[], rule: string): Finding[] => findings.filter((f) => f.rule === rule);

export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : 'n/a');
export const ratio = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)}×` : 'n/a');
export const share = (part: number, whole: number): string => (whole === 0 ? 'n/a (typed found 0)' : `${((part / whole) * 100).toFixed(0)} % (${part}/${whole})`);
