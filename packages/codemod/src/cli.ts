export async function main(argv: readonly string[]): Promise<number> {
  process.stdout.write(`asyncguard-codemod: not yet implemented (${argv.length} args)\n`);
  return 0;
}
