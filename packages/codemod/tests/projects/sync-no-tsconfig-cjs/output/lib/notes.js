'use strict';
const fs = require('fs');
const path = require('path');

async function readNote(dir, name) {
  return fs.promises.readFile(path.join(dir, name + '.txt'), 'utf8');
}

async function listNotes(dir) {
  return (await fs.promises.readdir(dir)).filter((f) => f.endsWith('.txt'));
}

module.exports = { readNote, listNotes };
