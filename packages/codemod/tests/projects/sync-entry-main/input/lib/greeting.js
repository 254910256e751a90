const fs = require('fs');
const path = require('path');

function loadGreeting() {
  return fs.readFileSync(path.join(__dirname, 'greeting.txt'), 'utf8').trim();
}

module.exports = { loadGreeting };
