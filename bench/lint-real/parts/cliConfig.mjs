// Config file for the spawned `eslint` CLI runs (whole-process time): the same configs as the
// in-process runs, described by the ASYNCGUARD_LINT_REAL environment variable (JSON), with the
// plugin and typescript-eslint loaded from the absolute paths given there.
import { pathToFileURL } from 'node:url';
import { buildConfig } from './eslintConfig.mjs';

const raw = process.env.ASYNCGUARD_LINT_REAL;
if (!raw) throw new Error('cliConfig.mjs: ASYNCGUARD_LINT_REAL is not set (it is meant to be run by bench/lint-real)');
/** @type {{ mode: 'typed' | 'untyped', plugin: string, tseslint: string, rootDir: string, tsconfig: string, ignores: string[] }} */
const o = JSON.parse(raw);
const plugin = (await import(pathToFileURL(o.plugin).href)).default;
const tseslint = (await import(pathToFileURL(o.tseslint).href)).default;

export default buildConfig({ ...o, plugin, tseslint, withTheirs: false });
