#!/usr/bin/env node
const fs = require('fs');

// The listener sees the settings only because the read below finishes before any input arrives.
process.stdin.on('data', (chunk) => console.log(settings.prefix + chunk));
const settings = JSON.parse(fs.readFileSync('settings.json', 'utf8'));
