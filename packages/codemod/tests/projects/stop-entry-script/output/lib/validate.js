'use strict';
const fs = require('fs');

/** True when the file exists and is not empty. */
function isValid(file) {
  return fs.existsSync(file) && fs.statSync(file).size > 0;
}

module.exports = { isValid };
