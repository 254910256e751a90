'use strict';
const { readNote, listNotes } = require('./notes');

async function main(dir) {
  for (const name of listNotes(dir)) {
    console.log(readNote(dir, name.slice(0, -4)));
  }
}

main(process.argv[2] || '.');
