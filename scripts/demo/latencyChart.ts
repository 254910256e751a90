import { plot } from 'asciichart';

/** One probe request: when it was sent (ms since the probe began), how long it took, its status (0: no answer). */
export interface Sample {
  at: number;
  ms: number;
  status: number;
}

/**
 * Latency over time of probe requests sent at a steady pace (an asciichart line chart), then a row
 * with the outcome under each column (· 2xx, x an error status, ? no answer) and a row of lettered
 * events (a, b, …) explained on the last line. More samples than `columns` are merged, each column
 * showing the slowest of its samples and the worst outcome.
 */
export function latencyChart(samples: readonly Sample[], events: ReadonlyArray<{ at: number; label: string }>, columns: number): string[] {
  const count = Math.max(1, Math.min(samples.length, columns));
  const bucketOf = (index: number): number => Math.min(count - 1, Math.floor((index * count) / samples.length));
  const slowest = Array.from({ length: count }, () => 0);
  const outcomes = Array.from({ length: count }, () => '·');
  samples.forEach((sample, index) => {
    const bucket = bucketOf(index);
    slowest[bucket] = Math.max(slowest[bucket]!, sample.ms);
    if (sample.status === 0) outcomes[bucket] = '?';
    else if (sample.status >= 300 && outcomes[bucket] !== '?') outcomes[bucket] = 'x';
  });
  const rows = plot(slowest, { height: 8, format: (x) => `${Math.round(x)} ms`.padStart(8) }).split('\n');
  // asciichart draws value i i columns right of the y axis (value 0 on the axis itself).
  const axis = Math.max(...rows.map((row) => Math.max(row.indexOf('┤'), row.indexOf('┼'))));
  const marks = Array.from({ length: count }, () => ' ');
  const legend = events.map((event, i) => {
    const letter = String.fromCharCode(97 + i);
    const first = samples.findIndex((sample) => sample.at >= event.at); // the first request sent after it
    marks[first === -1 ? count - 1 : bucketOf(first)] = letter;
    return `${letter}) ${event.label}`;
  });
  return [...rows, `${'status'.padStart(axis - 1)} ${outcomes.join('')}`, `${' '.repeat(axis)}${marks.join('').trimEnd()}`, `${' '.repeat(axis)}${legend.join('   ')}`];
}
