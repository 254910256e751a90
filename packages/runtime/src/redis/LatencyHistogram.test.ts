import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './LatencyHistogram.js';

describe('LatencyHistogram', () => {
  it('is empty at first', () => {
    expect(new LatencyHistogram().summary()).toEqual({ count: 0, p50: 0, p90: 0, p99: 0, max: 0 });
  });

  it('gives percentiles within a few percent of the exact ones', () => {
    const h = new LatencyHistogram();
    const values: number[] = [];
    let seed = 42;
    for (let i = 0; i < 10_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const ms = 0.05 + (seed / 2 ** 31) ** 3 * 500; // skewed, 50 µs .. 500 ms
      values.push(ms);
      h.record(ms);
    }
    values.sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = values[Math.ceil(q * values.length) - 1] as number;
      expect(Math.abs(h.percentile(q) - exact) / exact).toBeLessThan(0.07);
    }
    expect(h.summary().max).toBe(values[values.length - 1]);
    h.reset();
    expect(h.count).toBe(0);
  });
});
