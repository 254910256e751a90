import fs from 'node:fs';
import { exec } from 'child_process';
import { promisify } from 'node:util';

const execAsync = promisify(exec);

async function gitHead() {
  return (await execAsync('git rev-parse HEAD')).stdout.toString().trim();
}

async function writeReport(file) {
  await fs.promises.writeFile(file, `head: ${await gitHead()}\n`);
}

await writeReport(process.argv[2] ?? 'report.txt');
