'use strict';
const fs = require('fs');

exports.clear = () => {
  fs.rmSync('cache', { recursive: true, force: true });
};
