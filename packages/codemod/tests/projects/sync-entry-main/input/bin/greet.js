#!/usr/bin/env node
'use strict';
// Prints the greeting, to the name in greet.json when there is one.
const fs = require('fs');
const path = require('path');
const { loadGreeting } = require('../lib/greeting');

const configPath = path.join(__dirname, '..', 'greet.json');
let name = 'world';
if (fs.existsSync(configPath)) {
  name = JSON.parse(fs.readFileSync(configPath, 'utf8')).name;
}
const message = `${loadGreeting()},
${name}!`;
console.log(message);
