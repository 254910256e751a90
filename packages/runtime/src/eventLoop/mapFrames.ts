import { readFile } from 'node:fs/promises';
import { SourceMap, findSourceMap, type SourceMapPayload } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import type { BlockFrame } from './EventLoopBlock.js';
import type { RawFrame } from './watchdogWorker.js';

const cache = new Map<string, SourceMap | null>();
const CACHE_LIMIT = 200;

function toFile(url: string): string {
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return url;
    }
  }
  return url;
}

function decodeDataUrl(url: string): string | undefined {
  const comma = url.indexOf(',');
  if (comma < 0) return undefined;
  const meta = url.slice(5, comma);
  const body = url.slice(comma + 1);
  return meta.endsWith(';base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
}

async function loadSourceMap(frame: RawFrame): Promise<SourceMap | undefined> {
  const ref = frame.sourceMapURL;
  if (ref === undefined) {
    // Node's own source-map support (--enable-source-maps) may know the file already.
    const file = toFile(frame.url);
    return isAbsolute(file) ? findSourceMap(file) : undefined;
  }
  const key = ref.startsWith('data:') ? ref : `${frame.url}\u0000${ref}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached ?? undefined;
  let map: SourceMap | null = null;
  try {
    let text: string | undefined;
    if (ref.startsWith('data:')) {
      text = decodeDataUrl(ref);
    } else {
      const base = frame.url.startsWith('file://') ? frame.url : isAbsolute(frame.url) ? pathToFileURL(frame.url).href : undefined;
      const mapUrl = base === undefined ? undefined : new URL(ref, base);
      if (mapUrl?.protocol === 'file:') text = await readFile(mapUrl, 'utf8');
    }
    if (text !== undefined) map = new SourceMap(JSON.parse(text) as SourceMapPayload);
  } catch {
    map = null; // an unreadable or malformed map leaves the generated position in place
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, map);
  return map ?? undefined;
}

function resolveSource(source: string, frame: RawFrame): string {
  if (source.startsWith('file://')) return toFile(source);
  if (isAbsolute(source)) return source;
  const base = frame.url.startsWith('file://') ? frame.url : isAbsolute(frame.url) ? pathToFileURL(frame.url).href : undefined;
  if (base === undefined) return source;
  try {
    return toFile(new URL(source, base).href);
  } catch {
    return source;
  }
}

/** Turns inspector frames into {@link BlockFrame}s: 1-based, file paths, original TypeScript positions where a source map exists. */
export async function mapFrames(frames: readonly RawFrame[]): Promise<BlockFrame[]> {
  const out: BlockFrame[] = [];
  for (const frame of frames) {
    const functionName = frame.functionName === '' ? '(anonymous)' : frame.functionName;
    let file = toFile(frame.url);
    let line = frame.lineNumber + 1;
    let column = frame.columnNumber + 1;
    const map = await loadSourceMap(frame);
    if (map !== undefined) {
      const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as Partial<{
        originalSource: string;
        originalLine: number;
        originalColumn: number;
      }>;
      if (entry.originalSource !== undefined && entry.originalLine !== undefined && entry.originalColumn !== undefined) {
        file = resolveSource(entry.originalSource, frame);
        line = entry.originalLine + 1;
        column = entry.originalColumn + 1;
      }
    }
    out.push({ functionName, file, line, column });
  }
  return out;
}
