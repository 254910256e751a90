import { ts } from 'ts-morph';
/** How a synchronous Node API call becomes its asynchronous twin. */
export interface SyncApi {
  module: 'fs' | 'child_process' | 'zlib' | 'crypto' | 'fs-extra';
  sync: string;
  /**
   * `promises`: the same-named function of `fs/promises`; `exists`: an `access`-based helper
   * (`existsSync` has no promise twin); `exec`: a promisified exec/execFile whose result's
   * `stdout` stands in for the sync return value; `promisify`: `util.promisify` of the callback form;
   * `same-module`: the module's own function `async`, which returns a promise when given no callback (fs-extra).
   */
  kind: 'promises' | 'exists' | 'exec' | 'promisify' | 'same-module';
  async: string;
  /** fs-extra: the first major version whose `async` returns a promise when called without a callback. */
  sinceMajor?: number;
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

/**
 * The core module a declaration of @types/node belongs to: its file (`fs.d.ts`, from @types/node 10
 * on), or, in older @types/node that declare every module in one `index.d.ts`, the
 * `declare module "fs" { … }` around it.
 */
export function moduleOfDeclaration(declaration: ts.Node): SyncApi['module'] | undefined {
  const fileName = declaration.getSourceFile().fileName;
  const byFile = moduleOfDeclarationFile(fileName);
  if (byFile !== undefined || !/[\\/]@types[\\/]node[\\/]/.test(fileName)) return byFile;
  for (let node: ts.Node | undefined = declaration.parent; node !== undefined; node = node.parent) {
    if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) {
      const match = /^(?:node:)?(fs|child_process|zlib|crypto)$/.exec(node.name.text);
      return match?.[1] as SyncApi['module'] | undefined;
    }
  }
  return undefined;
}

/**
 * fs-extra (from 3.0) re-exports the fs functions and its own helpers; every async one returns a
 * promise when called without a callback. `fs.copyFile`/`rm`/`cp`/`opendir` came later (gated on a
 * newer major, conservatively); `moveSync` came in 4.0. `existsSync` becomes `pathExists` (3.0).
 */
const fsExtraFsPairs = [
  'readFile', 'writeFile', 'appendFile', 'mkdir', 'mkdtemp', 'readdir', 'stat', 'lstat', 'unlink', 'rmdir',
  'rename', 'access', 'realpath', 'readlink', 'symlink', 'link', 'chmod', 'chown', 'utimes', 'truncate',
];
const fsExtraOwn: Array<[sync: string, async: string, sinceMajor: number]> = [
  ['readJsonSync', 'readJson', 3], ['readJSONSync', 'readJSON', 3], ['writeJsonSync', 'writeJson', 3], ['writeJSONSync', 'writeJSON', 3],
  ['outputFileSync', 'outputFile', 3], ['outputJsonSync', 'outputJson', 3], ['outputJSONSync', 'outputJSON', 3],
  ['ensureDirSync', 'ensureDir', 3], ['mkdirsSync', 'mkdirs', 3], ['mkdirpSync', 'mkdirp', 3],
  ['ensureFileSync', 'ensureFile', 3], ['createFileSync', 'createFile', 3],
  ['copySync', 'copy', 3], ['removeSync', 'remove', 3], ['emptyDirSync', 'emptyDir', 3], ['emptydirSync', 'emptydir', 3],
  ['pathExistsSync', 'pathExists', 3], ['existsSync', 'pathExists', 3], ['moveSync', 'move', 4],
  ['copyFileSync', 'copyFile', 11], ['rmSync', 'rm', 11], ['opendirSync', 'opendir', 11],
];

export const FS_EXTRA_SYNC_APIS: ReadonlyMap<string, SyncApi> = new Map<string, SyncApi>([
  ...fsExtraFsPairs.map((name): [string, SyncApi] => [`${name}Sync`, { module: 'fs-extra', sync: `${name}Sync`, kind: 'same-module', async: name, sinceMajor: 3 }]),
  ...fsExtraOwn.map(([sync, async, sinceMajor]): [string, SyncApi] => [sync, { module: 'fs-extra', sync, kind: 'same-module', async, sinceMajor }]),
]);
