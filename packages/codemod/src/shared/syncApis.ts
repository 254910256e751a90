/** How a synchronous Node API call becomes its asynchronous twin. */
export interface SyncApi {
  module: 'fs' | 'child_process' | 'zlib' | 'crypto';
  sync: string;
  /**
   * `promises`: the same-named function of `fs/promises`; `exists`: an `access`-based helper
   * (`existsSync` has no promise twin); `exec`: a promisified exec/execFile whose result's
   * `stdout` stands in for the sync return value; `promisify`: `util.promisify` of the callback form.
   */
  kind: 'promises' | 'exists' | 'exec' | 'promisify';
  async: string;
}

const fsPairs = [
  'readFile', 'writeFile', 'appendFile', 'mkdir', 'mkdtemp', 'readdir', 'stat', 'lstat', 'unlink', 'rm', 'rmdir',
  'rename', 'copyFile', 'cp', 'access', 'realpath', 'readlink', 'symlink', 'link', 'chmod', 'chown', 'utimes',
  'truncate', 'opendir',
];

const zlibPairs = [
  'gzip', 'gunzip', 'deflate', 'inflate', 'deflateRaw', 'inflateRaw', 'unzip', 'brotliCompress', 'brotliDecompress',
];

export const SYNC_APIS: ReadonlyMap<string, SyncApi> = new Map<string, SyncApi>([
  ...fsPairs.map((name): [string, SyncApi] => [`${name}Sync`, { module: 'fs', sync: `${name}Sync`, kind: 'promises', async: name }]),
  ['existsSync', { module: 'fs', sync: 'existsSync', kind: 'exists', async: 'access' }],
  ['execSync', { module: 'child_process', sync: 'execSync', kind: 'exec', async: 'exec' }],
  ['execFileSync', { module: 'child_process', sync: 'execFileSync', kind: 'exec', async: 'execFile' }],
  ...zlibPairs.map((name): [string, SyncApi] => [`${name}Sync`, { module: 'zlib', sync: `${name}Sync`, kind: 'promisify', async: name }]),
  ['pbkdf2Sync', { module: 'crypto', sync: 'pbkdf2Sync', kind: 'promisify', async: 'pbkdf2' }],
  ['scryptSync', { module: 'crypto', sync: 'scryptSync', kind: 'promisify', async: 'scrypt' }],
  ['generateKeyPairSync', { module: 'crypto', sync: 'generateKeyPairSync', kind: 'promisify', async: 'generateKeyPair' }],
  // randomBytes(size) without a callback is the synchronous form.
  ['randomBytes', { module: 'crypto', sync: 'randomBytes', kind: 'promisify', async: 'randomBytes' }],
]);

/** Which @types/node declaration file each module's functions live in. */
export function moduleOfDeclarationFile(fileName: string): SyncApi['module'] | undefined {
  const match = /[\\/]@types[\\/]node[\\/](fs|child_process|zlib|crypto)\.d\.ts$/.exec(fileName);
  return match?.[1] as SyncApi['module'] | undefined;
}
