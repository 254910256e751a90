'use strict';
const fs = require('fs');

// CommonJS exports assigned one by one: callers reach them through require('./config').
exports.get = async () => JSON.parse(await fs.promises.readFile('notes.json', 'utf8'));

module.exports.path = async function () {
  return fs.promises.realpath('notes.json');
};
