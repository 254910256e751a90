const fs = require('fs');

function reset(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir);
}

async function main() {
  reset('out');
}

main();
