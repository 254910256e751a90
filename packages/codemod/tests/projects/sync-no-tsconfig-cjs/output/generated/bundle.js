const fs = require('fs');
module.exports = function load(p) {
  return fs.readFileSync(p, 'utf8');
};
