import { relative, isAbsolute } from 'node:path';
import type { Block, BlockFrame } from '../event-loop/Block.js';

function where(frame: BlockFrame): string {
  const file = isAbsolute(frame.file) ? relative(process.cwd(), frame.file) || frame.file : frame.file;
  return `${file}:${frame.line}:${frame.column}`;
}

/** `    at fn (file:line:col)` lines for a block's frames, innermost first. */
export function formatFrames(frames: readonly BlockFrame[], indent = '    '): string {
  if (frames.length === 0) return `${indent}(no stack: the loop recovered before V8 could pause it, or stack capture is off)`;
  return frames.map((frame) => `${indent}at ${frame.functionName} (${where(frame)})`).join('\n');
}

/** A block as a short paragraph: duration, then its frames. */
export function formatBlock(block: Block, indent = '  '): string {
  return `${indent}blocked for ${Math.round(block.durationMs)} ms\n${formatFrames(block.frames, `${indent}  `)}`;
}
