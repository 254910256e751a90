#!/usr/bin/env node
const fs = require('fs');
// Built by a compile step: code the codemod can't read, which may start a server when loaded.
const app = require('../build/app');

app.start(fs.readFileSync('app.json', 'utf8'));
