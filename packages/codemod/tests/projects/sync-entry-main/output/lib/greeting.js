const fs = require('fs');
const path = require('path');

async function loadGreeting() {
  return (await fs.promises.readFile(path.join(__dirname, 'greeting.txt'), 'utf8')).trim();
}

module.exports = { loadGreeting };
