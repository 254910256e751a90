/**
 * A typed listener list: `add` returns the function that removes the listener. A throwing
 * listener does not stop the others or the caller; its error is reported as a process warning.
 */
export class Listeners<E> {
  private list: Array<(event: E) => void> = [];

  add(listener: (event: E) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    // Copy on write, so a listener that removes itself during emit doesn't skip its neighbour.
    this.list = [...this.list, listener];
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      const i = this.list.indexOf(listener);
      if (i !== -1) this.list = [...this.list.slice(0, i), ...this.list.slice(i + 1)];
    };
  }

  get size(): number {
    return this.list.length;
  }

  emit(event: E): void {
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i]!(event);
      } catch (error) {
        process.emitWarning(`asyncguard: an event listener threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, 'AsyncguardListenerWarning');
      }
    }
  }
}
