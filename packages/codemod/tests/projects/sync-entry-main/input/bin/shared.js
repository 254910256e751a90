#!/usr/bin/env node
const fs = require('fs');

console.log(fs.readFileSync('shared.txt', 'utf8'));
