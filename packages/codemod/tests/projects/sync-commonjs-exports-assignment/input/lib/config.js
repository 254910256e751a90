'use strict';
const fs = require('fs');

// CommonJS exports assigned one by one: callers reach them through require('./config').
exports.get = () => JSON.parse(fs.readFileSync('notes.json', 'utf8'));

module.exports.path = function () {
  return fs.realpathSync('notes.json');
};
