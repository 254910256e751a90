#!/usr/bin/env node
const fs = require('fs');

exports.stamp = fs.readFileSync('stamp.txt', 'utf8');
console.log(exports.stamp);
