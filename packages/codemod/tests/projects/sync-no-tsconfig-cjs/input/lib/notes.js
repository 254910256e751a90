'use strict';
const fs = require('fs');
const path = require('path');

function readNote(dir, name) {
  return fs.readFileSync(path.join(dir, name + '.txt'), 'utf8');
}

function listNotes(dir) {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.txt'));
}

module.exports = { readNote, listNotes };
