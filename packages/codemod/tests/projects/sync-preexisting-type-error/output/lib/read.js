'use strict';
const fs = require('fs');

// checkJs widens 'utf8' to string here, so this call already fails to type-check (TS2769) before
// any edit; after the conversion it fails the same way at the same place, reworded for readFile:
// not a new error, so the chain stays.
const fsOptions = { encoding: 'utf8' };

async function readConfig(path) {
  return fs.promises.readFile(path, fsOptions);
}

async function main() {
  console.log(await readConfig('config.json'));
}

main();
