// The task for the offload round-trip bench: piscina calls the default export with the task,
// offload({ module, export: 'sum' }, [n]) calls `sum(n)`. Same work either way.
export function sum(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += i;
  return s;
}

export default sum;
