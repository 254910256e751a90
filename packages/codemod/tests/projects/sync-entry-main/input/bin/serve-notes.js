#!/usr/bin/env node
const fs = require('fs');
const server = require('../lib/server');

// The server listens once this file is read: a request could come before it if the read waited.
server.notes = fs.readFileSync('notes.txt', 'utf8');
