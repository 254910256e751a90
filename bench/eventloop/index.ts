// pnpm bench eventloop [rounds] [thresholdMs]
//
// An async-heavy workload (a local HTTP server on 127.0.0.1 under keep-alive load, plus
// thousands of small promises, timers and immediates) measured bare, under asyncguard's block
// detector (with and without stack capture) and under blocked-at. Every run is a fresh child
// process (blocked-at's async_hooks cannot be fully removed); contenders are interleaved in a
// rotating order each round and the table reports medians.
//
// Floors: the detector adds at most 5% to the workload's wall time; a block is detected no
// later than threshold + 20 ms after it began.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const rounds = Number(process.argv[2] ?? 7);
const thresholdMs = Number(process.argv[3] ?? 50);
const requests = Number(process.env.EVENTLOOP_BENCH_REQUESTS ?? 3000);
const blockedAtRounds = Math.min(3, rounds); // ~15x slower than the rest: fewer rounds keep the run short

type Contender = 'bare' | 'asyncguard' | 'asyncguard-nostack' | 'blocked-at';
const contenders: Contender[] = ['bare', 'asyncguard', 'asyncguard-nostack', 'blocked-at'];
const labels: Record<Contender, string> = {
  bare: 'bare (no detector)',
  asyncguard: 'asyncguard detector',
  'asyncguard-nostack': 'asyncguard, stacks off',
  'blocked-at': 'blocked-at 1.2',
};

interface Detection {
  latencyMs: number | undefined;
  capturedMs: number | undefined;
  durationMs: number;
  named: boolean;
}
interface Run {
  mode: Contender;
  workMs: number;
  cpuMs: number;
  workloadBlocks: number;
  detections: Detection[];
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function runOnce(mode: Contender): Run {
  const result = spawnSync(tsx, [join(here, 'workload.ts'), mode, String(thresholdMs), String(requests)], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (result.status !== 0) throw new Error(`${mode} run failed (${String(result.status ?? result.signal)}):\n${result.stderr}`);
  const line = result.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as Run;
}

const results = new Map<Contender, Run[]>(contenders.map((c) => [c, []]));
for (let round = 0; round < rounds; round++) {
  const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]!).filter((c) => c !== 'blocked-at' || round < blockedAtRounds);
  const line: string[] = [];
  for (const contender of order) {
    const run = runOnce(contender);
    results.get(contender)!.push(run);
    line.push(`${contender} ${run.workMs.toFixed(0)} ms`);
  }
  process.stdout.write(`round ${round + 1}/${rounds}: ${line.join(', ')}\n`);
}

const bare = median(results.get('bare')!.map((r) => r.workMs));
const bareCpu = median(results.get('bare')!.map((r) => r.cpuMs));
// Paired ratios: each run against the bare run of the same round (neighbours share the machine's load at that moment).
const pairedRatio = (contender: Contender, metric: 'workMs' | 'cpuMs'): number => {
  const bareRuns = results.get('bare')!;
  return median(results.get(contender)!.map((run, round) => run[metric] / bareRuns[round]![metric]));
};
const rows = contenders.map((contender) => {
  const runs = results.get(contender)!;
  const work = median(runs.map((r) => r.workMs));
  const detections = runs.flatMap((r) => r.detections);
  const latencies = detections.map((d) => d.latencyMs).filter((v): v is number => v !== undefined);
  const captures = detections.map((d) => d.capturedMs).filter((v): v is number => v !== undefined);
  const missed = detections.filter((d) => d.latencyMs === undefined).length;
  const named = detections.filter((d) => d.named).length;
  return {
    contender,
    runs: runs.length,
    work,
    ratio: work / bare,
    paired: pairedRatio(contender, 'workMs'),
    cpu: median(runs.map((r) => r.cpuMs)),
    cpuRatio: median(runs.map((r) => r.cpuMs)) / bareCpu,
    pairedCpu: pairedRatio(contender, 'cpuMs'),
    latency: latencies.length > 0 ? median(latencies) : undefined,
    latencyMax: latencies.length > 0 ? Math.max(...latencies) : undefined,
    capture: captures.length > 0 ? median(captures) : undefined,
    detections: detections.length,
    stalls: runs.reduce((sum, r) => sum + r.workloadBlocks, 0),
    missed,
    named,
  };
});

const fmt = (value: number | undefined, digits = 1): string => (value === undefined ? '—' : value.toFixed(digits));
process.stdout.write(
  `\nEvent-loop block detection overhead — ${requests} HTTP requests (32 keep-alive connections) + 80k promise/timer steps (EVENTLOOP_BENCH_REQUESTS to change), threshold ${thresholdMs} ms, median of runs\n\n`,
);
process.stdout.write(
  '| contender | runs | wall ms (median) | wall ratio (of medians / paired) | CPU ms (median) | CPU ratio (of medians / paired) | detection latency ms, median / max | stack captured after ms | blocks detected | blocking frame named | stalls seen during the workload (all runs) |\n',
);
process.stdout.write('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n');
for (const row of rows) {
  const detected = row.contender === 'bare' ? '—' : `${row.detections - row.missed}/${row.detections}`;
  const named = row.contender.startsWith('asyncguard') && row.contender !== 'asyncguard-nostack' ? `${row.named}/${row.detections}` : '—';
  process.stdout.write(
    `| ${labels[row.contender]} | ${row.runs} | ${fmt(row.work, 0)} | ${row.ratio.toFixed(3)} / ${row.paired.toFixed(3)} | ${fmt(row.cpu, 0)} | ${row.cpuRatio.toFixed(3)} / ${row.pairedCpu.toFixed(3)} | ${fmt(row.latency)} / ${fmt(row.latencyMax)} | ${fmt(row.capture)} | ${detected} | ${named} | ${row.contender === 'bare' ? '—' : row.stalls} |\n`,
  );
}

const ours = rows.find((r) => r.contender === 'asyncguard')!;
const overheadPct = (ours.ratio - 1) * 100;
const cpuOverheadPct = (ours.cpuRatio - 1) * 100;
const latencyOk = ours.latency !== undefined && ours.latency <= thresholdMs + 20;
process.stdout.write(
  `\nfloor: detector overhead ≤ 5%: wall ${overheadPct.toFixed(1)}% (paired ${((ours.paired - 1) * 100).toFixed(1)}%), CPU ${cpuOverheadPct.toFixed(1)}% (paired ${((ours.pairedCpu - 1) * 100).toFixed(1)}%) → ${overheadPct <= 5 ? 'met' : 'MISSED'} on wall time; ` +
    `detection latency ≤ threshold + 20 ms (${thresholdMs + 20} ms): median ${fmt(ours.latency)} ms, max ${fmt(ours.latencyMax)} ms → ${latencyOk ? 'met' : 'MISSED'}\n` +
    `blocked-at costs ${(rows.find((r) => r.contender === 'blocked-at')!.ratio).toFixed(1)}x the bare workload and reports a block only after it ends (latency = the block's length).\n`,
);
