/**
 * Holds the codemod's JSON report against the bench's own site count: which in-scope sites it
 * converted, which it left with a reason (a stop at the site, a stop up the call chain, a skipped
 * file, a rolled-back chain) and which it left without a word ("silently left", must be 0).
 *
 * A stop is tied to a site when it lies at the site or inside a function that may call the site's
 * function: the chain is walked upward by name (every call `…m(…)` may call every function named
 * `m`), and from a callback to the function that passes it on. That is generous to the codemod on
 * purpose: a site counts as silent only when no stop anywhere up its possible chains explains it.
 */
import { realpathSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import type { FileScan, SyncSite } from './siteCounter.ts';

/** The parts of the codemod's `--json` report the bench reads (paths relative to `root`). */
export interface CodemodJson {
  root?: string;
  changes?: { file: string; line: number; transform?: string; description: string }[];
  stops?: { file: string; line: number; transform?: string; reason: string }[];
  skipped?: { file: string; reason: string }[];
  diagnosticsRolledBack?: { file: string; line: number; description: string; diagnostics?: { code: number; file: string; line: number; message: string }[] }[];
  files?: string[];
}

/**
 * The report's paths are relative to the codemod's root (the directory of the tsconfig it used,
 * e.g. src/lib); the bench's are relative to the project's root. Rewrites the report to the latter.
 */
export function rebaseReport(report: CodemodJson, projectDir: string): CodemodJson {
  const base = realpathSync(projectDir);
  const root = report.root !== undefined ? realpathSync(report.root) : base;
  if (root === base) return report;
  const map = (file: string): string => relative(base, resolve(root, file)).split(sep).join('/');
  const out: CodemodJson = { ...report, root: base };
  if (report.changes) out.changes = report.changes.map((c) => ({ ...c, file: map(c.file) }));
  if (report.stops) out.stops = report.stops.map((c) => ({ ...c, file: map(c.file) }));
  if (report.skipped) out.skipped = report.skipped.map((c) => ({ ...c, file: map(c.file) }));
  if (report.files) out.files = report.files.map(map);
  if (report.diagnosticsRolledBack) {
    out.diagnosticsRolledBack = report.diagnosticsRolledBack.map((r) => ({
      ...r, file: map(r.file), ...(r.diagnostics ? { diagnostics: r.diagnostics.map((d) => ({ ...d, file: map(d.file) })) } : {}),
    }));
  }
  return out;
}

export type SiteOutcome =
  | { kind: 'converted' }
  | { kind: 'stopped-at-site'; reason: string }
  | { kind: 'stopped-in-chain'; reason: string; at: string }
  | { kind: 'skipped-file'; reason: string }
  | { kind: 'rolled-back'; reason: string; at: string }
  | { kind: 'codemod-failed'; reason: string }
  | { kind: 'silent' };

export interface Attribution {
  sites: { site: SyncSite; outcome: SiteOutcome }[];
  /** Sites the report calls converted that the counter still finds afterwards, per file:api. */
  claimedButPresent: string[];
  /** Sites that disappeared although the report doesn't mention converting them, per file:api. */
  unreportedRemovals: string[];
}

const MAX_CHAIN = 400;

interface FnRef { file: string; index: number }

/** Every function (and top level, index -1) that may reach the site, walking callers by name. */
function upwardChain(site: SyncSite, scans: ReadonlyMap<string, FileScan>, callsByName: ReadonlyMap<string, { file: string; enclosing: number }[]>): FnRef[] {
  const seen = new Set<string>();
  const out: FnRef[] = [];
  const queue: FnRef[] = [{ file: site.file, index: site.enclosing[0] ?? -1 }];
  while (queue.length > 0 && out.length < MAX_CHAIN) {
    const ref = queue.shift()!;
    const key = `${ref.file}#${ref.index}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(ref);
    if (ref.index < 0) continue;
    const fn = scans.get(ref.file)!.functions[ref.index]!;
    // The enclosing function holds the call that passes a callback on, or defines a nested helper.
    // A named function declared at the top level is reached from there only through a call by its
    // name (below), not because the top level declares it.
    if (fn.parent !== undefined) queue.push({ file: ref.file, index: fn.parent });
    else if (fn.passedToCallLine !== undefined || fn.names.length === 0) queue.push({ file: ref.file, index: -1 });
    for (const name of fn.passedToCallLine === undefined ? fn.names : []) {
      for (const caller of callsByName.get(name) ?? []) queue.push({ file: caller.file, index: caller.enclosing });
    }
  }
  return out;
}

function contains(scan: FileScan, ref: FnRef, line: number): boolean {
  if (ref.index >= 0) {
    const fn = scan.functions[ref.index]!;
    return fn.startLine <= line && line <= fn.endLine;
  }
  return !scan.functions.some((fn) => fn.parent === undefined && fn.startLine <= line && line <= fn.endLine);
}

/**
 * `failure` is the codemod's own error message when it exited with an error (unusable input,
 * internal error): every site then stays for that stated reason.
 */
export function attribute(before: readonly FileScan[], after: ReadonlyMap<string, FileScan>, report: CodemodJson, failure?: string): Attribution {
  const scans = new Map(before.map((s) => [s.file, s]));
  const callsByName = new Map<string, { file: string; enclosing: number }[]>();
  for (const scan of before) {
    for (const call of scan.calls) {
      const list = callsByName.get(call.name) ?? [];
      list.push({ file: scan.file, enclosing: call.enclosing ?? -1 });
      callsByName.set(call.name, list);
    }
  }
  const changes = report.changes ?? [];
  const stops = report.stops ?? [];
  const rollbacks = report.diagnosticsRolledBack ?? [];
  const skipped = new Map((report.skipped ?? []).map((s) => [s.file, s.reason]));

  const sites: Attribution['sites'] = [];
  const reported = new Map<string, number>();
  for (const scan of before) {
    for (const site of scan.sites) {
      const converted = changes.some((c) => c.file === site.file && c.line === site.line && c.description.includes(`${site.api} →`));
      let outcome: SiteOutcome;
      if (failure !== undefined) {
        outcome = { kind: 'codemod-failed', reason: failure };
      } else if (converted) {
        outcome = { kind: 'converted' };
        const key = `${site.file}:${site.api}`;
        reported.set(key, (reported.get(key) ?? 0) + 1);
      } else {
        const atSite = stops.find((s) => s.file === site.file && s.line === site.line);
        if (atSite) outcome = { kind: 'stopped-at-site', reason: atSite.reason };
        else if (skipped.has(site.file)) outcome = { kind: 'skipped-file', reason: skipped.get(site.file)! };
        else {
          const chain = upwardChain(site, scans, callsByName);
          const inChain = (file: string, line: number): boolean => chain.some((ref) => ref.file === file && scans.has(file) && contains(scans.get(file)!, ref, line));
          const rolled = rollbacks.find((r) => (r.file === site.file && r.line === site.line) || inChain(r.file, r.line));
          // The nearest stop up the chain: the site's own function first, then its callers.
          const inRef = (ref: FnRef, file: string, line: number): boolean => ref.file === file && scans.has(file) && contains(scans.get(file)!, ref, line);
          const stop = chain.map((ref) => stops.find((s) => inRef(ref, s.file, s.line))).find((s) => s !== undefined);
          if (rolled) {
            const why = rolled.diagnostics?.[0];
            outcome = { kind: 'rolled-back', reason: why ? `TS${why.code}: ${why.message}` : rolled.description, at: `${rolled.file}:${rolled.line}` };
          } else if (stop) outcome = { kind: 'stopped-in-chain', reason: stop.reason, at: `${stop.file}:${stop.line}` };
          else outcome = { kind: 'silent' };
        }
      }
      sites.push({ site, outcome });
    }
  }

  // Cross-check the report against the counter, per file and API.
  const claimedButPresent: string[] = [];
  const unreportedRemovals: string[] = [];
  const count = (list: readonly SyncSite[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const s of list) m.set(`${s.file}:${s.api}`, (m.get(`${s.file}:${s.api}`) ?? 0) + 1);
    return m;
  };
  const beforeCounts = count(before.flatMap((s) => s.sites));
  const afterCounts = count([...after.values()].flatMap((s) => s.sites));
  for (const [key, n] of beforeCounts) {
    const removed = n - (afterCounts.get(key) ?? 0);
    const claimed = reported.get(key) ?? 0;
    if (claimed > removed) claimedButPresent.push(`${key} (${claimed - removed})`);
    if (removed > claimed) unreportedRemovals.push(`${key} (${removed - claimed})`);
  }
  return { sites, claimedButPresent, unreportedRemovals };
}

/** Shortens a stop reason to its kind: names, code, paths and numbers become `…`. */
export function reasonGroup(reason: string): string {
  return reason
    .replace(/`[^`]*`/g, '`…`')
    .replace(/\([^()]*\)/g, '(…)')
    .replace(/\b[\w./-]+\.[cm]?[jt]sx?(:\d+)?/g, '<file>')
    .replace(/\b(passed to|typed by|on a|called on an expression) [^:;,]+/g, '$1 …')
    .replace(/\b(\w+) is used as a value at [^:;]+/g, '… is used as a value at …')
    .replace(/\b(must match) [^,;]+/g, '$1 …')
    .replace(/\b\d+\b/g, 'N')
    .replace(/\s+/g, ' ')
    .trim();
}
