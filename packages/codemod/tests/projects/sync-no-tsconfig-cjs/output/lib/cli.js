'use strict';
const { readNote, listNotes } = require('./notes');

async function main(dir) {
  for (const name of await listNotes(dir)) {
    console.log(await readNote(dir, name.slice(0, -4)));
  }
}

main(process.argv[2] || '.');
