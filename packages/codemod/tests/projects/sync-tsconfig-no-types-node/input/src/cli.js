import fs from 'node:fs';
import { execSync } from 'child_process';

function gitHead() {
  return execSync('git rev-parse HEAD').toString().trim();
}

function writeReport(file) {
  fs.writeFileSync(file, `head: ${gitHead()}\n`);
}

writeReport(process.argv[2] ?? 'report.txt');
