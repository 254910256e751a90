import { describe, expect, it, vi } from 'vitest';
import { expectNoLeakedResources } from '../../tests/support/expectNoLeaks.js';
import { cancelDeadline, type DeadlineEntry, deadlineListCount, scheduleDeadline } from './DeadlineQueue.js';

expectNoLeakedResources();

class Entry implements DeadlineEntry {
  dlPrev: DeadlineEntry | null = null;
  dlNext: DeadlineEntry | null = null;
  dlList: DeadlineEntry['dlList'] = null;
  dlAt = 0;
  expiredAt: number | undefined;
  constructor(readonly label: string, private readonly log: string[]) {}
  expire(now: number): void {
    this.expiredAt = now;
    this.log.push(this.label);
  }
}

describe('DeadlineQueue', () => {
  it('expires entries in order and never the cancelled ones', async () => {
    vi.useFakeTimers();
    const log: string[] = [];
    const lists = deadlineListCount();
    const [a, b, c] = ['a', 'b', 'c'].map((l) => new Entry(l, log)) as [Entry, Entry, Entry];
    scheduleDeadline(a, 100, performance.now());
    vi.advanceTimersByTime(10);
    scheduleDeadline(b, 100, performance.now());
    scheduleDeadline(c, 50, performance.now());
    cancelDeadline(b);
    cancelDeadline(b); // twice is fine
    vi.advanceTimersByTime(50);
    expect(log).toEqual(['c']);
    vi.advanceTimersByTime(40);
    expect(log).toEqual(['c', 'a']);
    vi.advanceTimersByTime(1000);
    expect(log).toEqual(['c', 'a']);
    expect(deadlineListCount()).toBe(lists);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('uses one timer per budget however many entries wait', () => {
    vi.useFakeTimers();
    const log: string[] = [];
    const entries = Array.from({ length: 1000 }, (_, i) => new Entry(String(i), log));
    for (const e of entries) scheduleDeadline(e, 200, performance.now());
    expect(vi.getTimerCount()).toBe(1);
    for (const e of entries) cancelDeadline(e);
    vi.advanceTimersByTime(200);
    expect(log).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('unrefs its timer when the last entry leaves, and refs it again for a new one', () => {
    const log: string[] = [];
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const a = new Entry('a', log);
    scheduleDeadline(a, 60_000, performance.now());
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before + 1);
    cancelDeadline(a);
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before);
    const b = new Entry('b', log);
    scheduleDeadline(b, 60_000, performance.now());
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before + 1);
    cancelDeadline(b);
  });

  it('forgets a budget once its timer fired on an empty list', () => {
    vi.useFakeTimers();
    const log: string[] = [];
    const before = deadlineListCount(); // lists of earlier tests whose real timers are still pending
    for (let ms = 1; ms <= 50; ms++) {
      const e = new Entry(String(ms), log);
      scheduleDeadline(e, ms, performance.now());
      cancelDeadline(e);
    }
    expect(deadlineListCount()).toBe(before + 50);
    vi.advanceTimersByTime(50);
    expect(deadlineListCount()).toBe(before);
  });

  it('still expires entries when performance.now() is real but setTimeout is fake', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const log: string[] = [];
    const a = new Entry('a', log);
    const b = new Entry('b', log);
    scheduleDeadline(a, 5000, performance.now());
    scheduleDeadline(b, 5000, performance.now());
    vi.advanceTimersByTime(5000);
    vi.advanceTimersByTime(5); // b was scheduled a hair later on the real clock
    expect(log).toEqual(['a', 'b']);
  });

  it('re-arms on the current clock when fake timers are installed after a real timer was armed', () => {
    const log: string[] = [];
    const a = new Entry('a', log);
    scheduleDeadline(a, 300, performance.now()); // real timer, budget 300
    cancelDeadline(a); // unref'd, still armed on the real clock
    vi.useFakeTimers();
    const b = new Entry('b', log);
    scheduleDeadline(b, 300, performance.now());
    vi.advanceTimersByTime(300);
    expect(log).toEqual(['b']);
  });
});
