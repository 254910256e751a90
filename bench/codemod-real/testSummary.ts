/**
 * Reads pass/fail counts and failing test names from a test run's output: mocha (spec), TAP
 * (node:test --test-reporter=tap, tap), node:test's spec reporter, jest, vitest and ava. When a
 * command runs several suites (`a && b`), the counts of every summary are added up.
 */
export interface TestSummary {
  /** Which summary formats were recognised, e.g. `mocha` or `ava+tap`. */
  format: string;
  passed: number;
  failed: number;
  skipped: number;
  /** Titles of the failing tests, as the runner prints them (deduplicated, sorted). */
  failures: string[];
}

const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

interface Partial {
  passed: number;
  failed: number;
  skipped: number;
  failures: string[];
}

type Parser = (lines: string[]) => Partial | undefined;

const num = (match: RegExpExecArray | null, group = 1): number => (match ? Number(match[group]) : 0);

/** mocha's spec reporter: `N passing (2s)`, `N failing`, `N pending`; failures as `  1) title`. */
const mocha: Parser = (lines) => {
  let found = false;
  const out: Partial = { passed: 0, failed: 0, skipped: 0, failures: [] };
  let inSummary = false;
  for (const line of lines) {
    let m = /^\s*(\d+) passing\b/.exec(line);
    if (m) { found = true; inSummary = true; out.passed += num(m); continue; }
    m = /^\s*(\d+) failing\b/.exec(line);
    if (m) { found = true; out.failed += num(m); continue; }
    m = /^\s*(\d+) pending\b/.exec(line);
    if (m) { found = true; out.skipped += num(m); continue; }
    // The inline list (before the summary) names each failing test once: "   1) title".
    m = /^\s+\d+\) (.+?)\s*$/.exec(line);
    if (m && !inSummary) out.failures.push(m[1]!.replace(/:$/, ''));
  }
  return found ? out : undefined;
};

/** TAP: `ok N - title` / `not ok N - title`, with `# SKIP`/`# TODO` directives. Nested subtests count at every depth only once. */
const tap: Parser = (lines) => {
  const plan = lines.some((l) => /^\s*(TAP version \d+|1\.\.\d+)\s*$/.test(l));
  if (!plan) return undefined;
  const out: Partial = { passed: 0, failed: 0, skipped: 0, failures: [] };
  // Subtests (node:test, tap) come indented before their parent's own point: a point that follows
  // deeper points is a suite; it names those leaves (`suite > test`) and is not counted itself.
  let leaves: { indent: number; ok: boolean; skip: boolean; title: string }[] = [];
  const done: typeof leaves = [];
  let points = 0;
  for (const line of lines) {
    const m = /^(\s*)(not ok|ok) \d+(?: - )?(.*?)\s*$/.exec(line);
    if (!m) continue;
    points++;
    const indent = m[1]!.length;
    const title = m[3]!.replace(/\s*#\s*(SKIP|TODO)\b.*$/i, '');
    const children = leaves.filter((l) => l.indent > indent);
    if (children.length > 0) {
      leaves = leaves.filter((l) => l.indent <= indent);
      leaves.push(...children.map((c) => ({ ...c, indent, title: `${title} > ${c.title}` })));
      continue;
    }
    leaves.push({ indent, ok: m[2] === 'ok', skip: /#\s*(SKIP|TODO)\b/i.test(m[3]!), title });
    if (indent === 0) done.push(...leaves.splice(0));
  }
  for (const leaf of [...done, ...leaves]) {
    if (leaf.skip) out.skipped++;
    else if (leaf.ok) out.passed++;
    else { out.failed++; out.failures.push(leaf.title); }
  }
  return points > 0 ? out : undefined;
};

/** node:test's spec reporter footer: `ℹ pass 10`, `ℹ fail 1`, `ℹ skipped 2`; failures as `✖ title (1ms)`. */
const nodeSpec: Parser = (lines) => {
  const out: Partial = { passed: 0, failed: 0, skipped: 0, failures: [] };
  let found = false;
  let failingSection = false;
  for (const line of lines) {
    let m = /^ℹ pass (\d+)/.exec(line);
    if (m) { found = true; out.passed += num(m); continue; }
    m = /^ℹ fail (\d+)/.exec(line);
    if (m) { out.failed += num(m); continue; }
    m = /^ℹ (skipped|todo) (\d+)/.exec(line);
    if (m) { out.skipped += num(m, 2); continue; }
    if (/^✖ failing tests:/.test(line)) { failingSection = true; continue; }
    m = /^\s*✖ (.+?)(?: \([\d.]+m?s\))?\s*$/.exec(line);
    if (m && failingSection) out.failures.push(m[1]!);
  }
  return found ? out : undefined;
};

/** jest: `Tests:       1 failed, 2 skipped, 40 passed, 43 total`; failures as `  ● Suite › title`. */
const jest: Parser = (lines) => {
  const out: Partial = { passed: 0, failed: 0, skipped: 0, failures: [] };
  let found = false;
  for (const line of lines) {
    const m = /^Tests:\s+(.*\d+ total)/.exec(line);
    if (m) {
      found = true;
      out.passed += num(/(\d+) passed/.exec(m[1]!));
      out.failed += num(/(\d+) failed/.exec(m[1]!));
      out.skipped += num(/(\d+) skipped/.exec(m[1]!)) + num(/(\d+) todo/.exec(m[1]!));
      continue;
    }
    const f = /^\s*● (.+ › .+?)\s*$/.exec(line);
    if (f) out.failures.push(f[1]!);
  }
  return found ? out : undefined;
};

/** vitest: `Tests  2 failed | 40 passed | 1 skipped (43)`; failures as ` FAIL  file > suite > title`. */
const vitest: Parser = (lines) => {
  const out: Partial = { passed: 0, failed: 0, skipped: 0, failures: [] };
  let found = false;
  for (const line of lines) {
    const m = /^\s*Tests\s+(.*)\(\d+\)\s*$/.exec(line);
    if (m) {
      found = true;
      out.passed += num(/(\d+) passed/.exec(m[1]!));
      out.failed += num(/(\d+) failed/.exec(m[1]!));
      out.skipped += num(/(\d+) skipped/.exec(m[1]!)) + num(/(\d+) todo/.exec(m[1]!));
      continue;
    }
    const f = /^\s*FAIL\s+(.+ > .+?)\s*$/.exec(line);
    if (f) out.failures.push(f[1]!);
  }
  return found ? out : undefined;
};

/** ava: `  12 tests passed`, `  2 tests failed`, `1 test skipped`; failures as `✘ [fail]: file › title`. */
const ava: Parser = (lines) => {
  const out: Partial = { passed: 0, failed: 0, skipped: 0, failures: [] };
  let found = false;
  for (const line of lines) {
    let m = /^\s*(\d+) tests? passed\b/.exec(line);
    if (m) { found = true; out.passed += num(m); continue; }
    m = /^\s*(\d+) tests? failed\b/.exec(line);
    if (m) { found = true; out.failed += num(m); continue; }
    m = /^\s*(\d+) (?:tests? skipped|tests? todo|known failures?)\b/.exec(line);
    if (m) { found = true; out.skipped += num(m); continue; }
    const f = /^\s*✘ \[fail\]: (.+?)(?:\s{2,}.*)?$/.exec(line);
    if (f) out.failures.push(f[1]!);
  }
  // "1 test failed" with no "passed" line still counts as found.
  return found ? out : undefined;
};

const PARSERS: [string, Parser][] = [['jest', jest], ['vitest', vitest], ['mocha', mocha], ['ava', ava], ['node-test', nodeSpec], ['tap', tap]];

/** Parses a test run's combined output; undefined when no known summary appears. */
export function parseTestSummary(output: string): TestSummary | undefined {
  const lines = stripAnsi(output).split(/\r?\n/);
  const formats: string[] = [];
  const total: Partial = { passed: 0, failed: 0, skipped: 0, failures: [] };
  for (const [name, parser] of PARSERS) {
    const part = parser(lines);
    if (part === undefined) continue;
    formats.push(name);
    total.passed += part.passed;
    total.failed += part.failed;
    total.skipped += part.skipped;
    total.failures.push(...part.failures);
    // A TAP stream and its runner's own footer describe the same tests: take only one.
    if (name === 'node-test') break;
  }
  if (formats.length === 0) return undefined;
  return { format: formats.join('+'), passed: total.passed, failed: total.failed, skipped: total.skipped, failures: [...new Set(total.failures)].sort() };
}
