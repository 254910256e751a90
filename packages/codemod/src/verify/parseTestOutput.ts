/**
 * What a test run's output says, read as best it can be: the names of failing tests and the
 * number of passing ones, from TAP (node:test's default without a TTY, tap, tape), mocha's spec
 * reporter, node:test's spec reporter, jest, vitest and ava. Anything unrecognised leaves the
 * lists empty; the gate then judges by exit code and shows the output's tail.
 */
export interface TestOutcome {
  failing: string[];
  /** Passing tests the summary reported, when it reported any. */
  passing?: number;
}

const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

export function parseTestOutput(output: string): TestOutcome {
  const lines = output.replace(ANSI, '').split(/\r?\n/);
  const failing = new Set<string>();
  let passing: number | undefined;
  const addPassing = (n: number): void => {
    passing = (passing ?? 0) + n;
  };
  tap(lines, failing, addPassing);
  mocha(lines, failing);
  for (const line of lines) {
    let m: RegExpExecArray | null;
    // node:test spec reporter: "✖ name (1.2ms)"; its summary repeats the failures under "✖ failing tests:".
    if ((m = /^\s*✖ (.+?) \(\d+(?:\.\d+)?m?s\)\s*$/.exec(line))) failing.add(m[1]!.trim());
    // jest: "● Suite › test"
    else if ((m = /^\s*● (.+›.+|[^›]+)$/.exec(line)) && !/Test suite failed to run|Console$/.test(m[1]!)) failing.add(m[1]!.trim());
    // vitest: " FAIL  file > suite > test" and "× test"
    else if ((m = /^\s*FAIL\s+(.+ > .+?)(?:\s+\[.*\])?\s*$/.exec(line))) failing.add(m[1]!.trim());
    // ava: "✘ [fail]: file › title message" (ava 4+) or "✖ title"
    else if ((m = /^\s*✘ (?:\[fail\]: )?(.+)$/.exec(line))) failing.add(m[1]!.trim());
    // Summaries with a passing count.
    if ((m = /^\s*(\d+) passing\b/.exec(line))) addPassing(Number(m[1])); // mocha
    else if ((m = /^\s*ℹ pass (\d+)\s*$/.exec(line))) addPassing(Number(m[1])); // node:test spec
    else if ((m = /^\s*Tests:\s+(?:.*?(\d+) passed)/.exec(line))) addPassing(Number(m[1])); // jest
    else if ((m = /^\s*Tests\s+(?:.*?(\d+) passed)/.exec(line))) addPassing(Number(m[1])); // vitest
    else if ((m = /^\s*(\d+) tests? passed\b/.exec(line))) addPassing(Number(m[1])); // ava
  }
  return passing === undefined ? { failing: [...failing].sort() } : { failing: [...failing].sort(), passing };
}

/** TAP: `not ok N - name`, nested by indentation under `# Subtest: name`; suites failed only by their subtests are left out. */
function tap(lines: readonly string[], failing: Set<string>, addPassing: (n: number) => void): void {
  const open: Array<{ indent: number; name: string }> = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const indent = line.length - line.trimStart().length;
    let m: RegExpExecArray | null;
    if ((m = /^\s*# Subtest: (.+)$/.exec(line))) {
      while (open.length > 0 && open.at(-1)!.indent >= indent) open.pop();
      open.push({ indent, name: m[1]!.trim() });
      continue;
    }
    if ((m = /^\s*not ok \d+(?: -)? ?(.*?)(\s+# (?:TODO|SKIP)\b.*)?$/i.exec(line))) {
      while (open.length > 0 && open.at(-1)!.indent > indent) open.pop();
      if (m[2] !== undefined) continue;
      if (yamlBlock(lines, i).some((l) => /failureType: 'subtestsFailed'/.test(l))) continue;
      const parents = open.filter((o) => o.indent < indent).map((o) => o.name);
      failing.add([...parents, m[1]!.trim()].join(' > '));
      continue;
    }
    if ((m = /^# pass (\d+)\s*$/.exec(line))) addPassing(Number(m[1]));
  }
}

function yamlBlock(lines: readonly string[], at: number): string[] {
  const next = lines[at + 1];
  if (next === undefined || next.trim() !== '---') return [];
  const block: string[] = [];
  for (let i = at + 2; i < lines.length && lines[i]!.trim() !== '...'; i++) block.push(lines[i]!);
  return block;
}

/** mocha's spec reporter: after "N failing", each "K) suite\n  test:" names one failure. */
function mocha(lines: readonly string[], failing: Set<string>): void {
  const start = lines.findIndex((l) => /^\s*\d+ failing\s*$/.test(l));
  if (start < 0) return;
  for (let i = start + 1; i < lines.length; i++) {
    const m = /^\s*\d+\) (.+)$/.exec(lines[i]!);
    if (m === null) continue;
    // The title path runs to the line ending in ":" (a title may itself end in a newline, which
    // leaves a lone ":"), at most a few lines on.
    const parts = [m[1]!.trim()];
    let j = i;
    while (!parts.at(-1)!.endsWith(':') && j + 1 < lines.length && j - i < 12) {
      j++;
      const text = lines[j]!.trim();
      if (/^(?:Uncaught )?\w*Error\b/.test(text)) break;
      if (text !== '') parts.push(text);
    }
    if (!parts.at(-1)!.endsWith(':')) continue;
    const last = parts.pop()!.slice(0, -1).trim();
    if (last !== '') parts.push(last);
    failing.add(parts.join(' > '));
    i = j;
  }
}
