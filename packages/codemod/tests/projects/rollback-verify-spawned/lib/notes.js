'use strict';
const fs = require('fs');
const path = require('path');

function readNote(dir, name) {
  return fs.readFileSync(path.join(dir, `${name}.txt`), 'utf8');
}

async function shout(dir, name) {
  return readNote(dir, name).trim().toUpperCase();
}

module.exports = { shout };
