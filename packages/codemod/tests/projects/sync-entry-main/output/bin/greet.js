#!/usr/bin/env node
'use strict';
// Prints the greeting, to the name in greet.json when there is one.
async function main() {
const fs = require('fs');
const path = require('path');
const { loadGreeting } = require('../lib/greeting');

/**
 * True when `path` exists (the async stand-in for existsSync).
 * @param {import('fs').PathLike} path
 */
async function pathExists(path) {
  try {
    await fs.promises.access(path);
    return true;
  } catch {
    return false;
  }
}

const configPath = path.join(__dirname, '..', 'greet.json');
let name = 'world';
if (await pathExists(configPath)) {
  name = JSON.parse(await fs.promises.readFile(configPath, 'utf8')).name;
}
const message = `${await loadGreeting()},
${name}!`;
console.log(message);
}
main().catch((error) => {
  // As before the body became async: the error ends the process as an uncaught exception.
  process.nextTick(() => {
    throw error;
  });
});
