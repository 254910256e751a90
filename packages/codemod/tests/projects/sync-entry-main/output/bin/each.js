#!/usr/bin/env node
const fs = require('fs');

// The read is skipped in the first round, so the timer of that round is set before any await.
let shown = 0;
for (const file of process.argv.slice(2)) {
  if (shown > 0) console.log(fs.readFileSync(file, 'utf8'));
  setTimeout(() => console.log(`${shown} file(s) shown`), 0);
  shown++;
}
