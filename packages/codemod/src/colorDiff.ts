/** What decides whether the CLI colours its output: the stream and the environment. */
export interface ColorContext {
  isTTY?: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Colour when `FORCE_COLOR` asks for it (any value but `0`/`false`), never when `NO_COLOR` is set
 * to anything non-empty (no-color.org) or `FORCE_COLOR` is `0`, never on `TERM=dumb`, else only
 * on a terminal.
 */
export function useColor({ isTTY, env }: ColorContext): boolean {
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return isTTY === true;
}

const RESET = '\u001b[0m';
const STYLES = { header: '\u001b[1m', hunk: '\u001b[36m', removed: '\u001b[31m', added: '\u001b[32m' } as const;

/** Colours a unified diff line by line: file headers bold, hunk headers cyan, removals red, additions green. */
export function colorDiff(diff: string): string {
  return diff.split('\n').map((line) => {
    const style = line.startsWith('--- ') || line.startsWith('+++ ') ? STYLES.header
      : line.startsWith('@@') ? STYLES.hunk
        : line.startsWith('-') ? STYLES.removed
          : line.startsWith('+') ? STYLES.added
            : undefined;
    return style === undefined || line === '' ? line : `${style}${line}${RESET}`;
  }).join('\n');
}
