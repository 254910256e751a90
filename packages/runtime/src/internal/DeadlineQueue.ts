/**
 * Deadlines without a timer per call.
 *
 * Every pending deadline with the same budget goes into one intrusive doubly linked list, in
 * the order it was scheduled; because the budget is the same, that is also deadline order. Each
 * list owns at most one Node timer, armed for its head. Scheduling is an append, cancelling is an
 * unlink — no `setTimeout`/`clearTimeout` pair and no `Timeout` object per call, which is most of
 * what a naive timeout costs on the success path.
 *
 * The timer keeps the process alive only while its list is non-empty: when the last entry is
 * cancelled the timer is `unref()`ed (and re-`ref()`ed if an entry arrives before it fires), so
 * a settled call never holds the event loop open. When it fires on an empty list it is dropped
 * and the list is forgotten, so dynamic budgets don't accumulate lists.
 *
 * Clocks: entries carry deadlines on `performance.now()`; a firing timer also proves its own
 * target time has passed on the clock that ran it, so a fake `setTimeout` paired with a real
 * `performance` (or the reverse) still expires entries. A timer armed by another `setTimeout`
 * implementation (fake timers installed or removed since) is abandoned and re-armed.
 */

export interface DeadlineEntry {
  /** @internal list links and deadline, owned by the queue. */
  dlPrev: DeadlineEntry | null;
  dlNext: DeadlineEntry | null;
  dlList: DeadlineList | null;
  dlAt: number;
  /** Called once, when the deadline passes. `now` is `performance.now()` at expiry. */
  expire(now: number): void;
}

type SetTimeout = typeof setTimeout;
type ClearTimeout = typeof clearTimeout;
type Timer = ReturnType<typeof setTimeout>;

/** @internal */
export class DeadlineList {
  head: DeadlineEntry | null = null;
  tail: DeadlineEntry | null = null;
  timer: Timer | undefined = undefined;
  /** performance.now() value the armed timer stands for. */
  timerAt = 0;
  armedWith: SetTimeout | undefined = undefined;
  clearWith: ClearTimeout | undefined = undefined;

  constructor(readonly ms: number) {}
}

const lists = new Map<number, DeadlineList>();
let lastList: DeadlineList | undefined;

function listFor(ms: number): DeadlineList {
  if (lastList !== undefined && lastList.ms === ms) return lastList;
  let list = lists.get(ms);
  if (list === undefined) {
    list = new DeadlineList(ms);
    lists.set(ms, list);
  }
  lastList = list;
  return list;
}

/** Schedules `entry` to expire `ms` after `now` (a `performance.now()` reading). */
export function scheduleDeadline(entry: DeadlineEntry, ms: number, now: number): void {
  const list = listFor(ms);
  const at = now + ms;
  entry.dlAt = at;
  entry.dlList = list;
  entry.dlNext = null;
  const tail = list.tail;
  if (tail === null) {
    entry.dlPrev = null;
    list.head = list.tail = entry;
    if (list.timer === undefined || list.armedWith !== setTimeout || list.timerAt > at) arm(list, at, now);
    else list.timer.ref();
  } else if (tail.dlAt <= at) {
    entry.dlPrev = tail;
    tail.dlNext = entry;
    list.tail = entry;
    // Fake timers were installed or removed while entries were pending: re-arm on the current clock.
    if (list.armedWith !== setTimeout) arm(list, (list.head as DeadlineEntry).dlAt, now);
  } else {
    // The clock went backwards (fake timers reset): keep the list sorted anyway.
    insertSorted(list, entry);
  }
}

/** Removes `entry` if it is still scheduled. Safe to call twice. */
export function cancelDeadline(entry: DeadlineEntry): void {
  const list = entry.dlList;
  if (list === null) return;
  unlink(list, entry);
  if (list.head === null && list.timer !== undefined) list.timer.unref();
}

function unlink(list: DeadlineList, entry: DeadlineEntry): void {
  const { dlPrev: prev, dlNext: next } = entry;
  if (prev === null) list.head = next;
  else prev.dlNext = next;
  if (next === null) list.tail = prev;
  else next.dlPrev = prev;
  entry.dlPrev = entry.dlNext = null;
  entry.dlList = null;
}

function insertSorted(list: DeadlineList, entry: DeadlineEntry): void {
  let after = list.tail;
  while (after !== null && after.dlAt > entry.dlAt) after = after.dlPrev;
  entry.dlPrev = after;
  entry.dlNext = after === null ? list.head : after.dlNext;
  if (after === null) list.head = entry;
  else after.dlNext = entry;
  if (entry.dlNext === null) list.tail = entry;
  else entry.dlNext.dlPrev = entry;
  if (after === null) arm(list, entry.dlAt, performance.now());
}

function arm(list: DeadlineList, at: number, now: number): void {
  if (list.timer !== undefined) list.clearWith?.(list.timer);
  const delay = Math.max(1, Math.ceil(at - now));
  list.armedWith = setTimeout;
  list.clearWith = clearTimeout;
  list.timerAt = now + delay;
  list.timer = setTimeout(fire, delay, list);
}

function fire(list: DeadlineList): void {
  list.timer = undefined;
  // The timer firing means its target passed on the clock that ran it, whatever performance.now() says.
  const now = Math.max(performance.now(), list.timerAt);
  let entry = list.head;
  while (entry !== null && entry.dlAt <= now) {
    unlink(list, entry);
    entry.expire(now);
    entry = list.head;
  }
  if (list.head !== null) {
    if (list.timer === undefined) arm(list, list.head.dlAt, now);
  } else if (list.timer === undefined && lists.get(list.ms) === list) {
    lists.delete(list.ms);
    if (lastList === list) lastList = undefined;
  }
}

/**
 * A list that no timer of this queue serves: an ambient deadline keeps the calls that inherit
 * it here (all with its deadline, so appending keeps the order) and expires them itself.
 */
export function privateDeadlineList(): DeadlineList {
  return new DeadlineList(-1);
}

/** Appends `entry` to a private list, due at `at`. */
export function attachDeadline(list: DeadlineList, entry: DeadlineEntry, at: number): void {
  entry.dlAt = at;
  entry.dlList = list;
  entry.dlNext = null;
  const tail = list.tail;
  entry.dlPrev = tail;
  if (tail === null) list.head = entry;
  else tail.dlNext = entry;
  list.tail = entry;
}

/** Expires every entry of a private list (its owner's deadline passed). */
export function expireAll(list: DeadlineList, now: number): void {
  let entry = list.head;
  while (entry !== null) {
    unlink(list, entry);
    entry.expire(now);
    entry = list.head;
  }
}

/** For tests: how many budgets have a live list. */
export function deadlineListCount(): number {
  return lists.size;
}
