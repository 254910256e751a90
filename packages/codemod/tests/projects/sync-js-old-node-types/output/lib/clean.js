const fs = require('fs');

async function reset(dir) {
  await fs.promises.rm(dir, { recursive: true, force: true });
  await fs.promises.mkdir(dir);
}

async function main() {
  await reset('out');
}

main();
