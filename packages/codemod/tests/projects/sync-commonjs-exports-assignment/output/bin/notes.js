#!/usr/bin/env node
'use strict';
const config = require('../lib/config');
const cache = require('../lib/cache');

async function main() {
  console.log((await config.get()).title, await config.path());
  cache.clear();
}

main();
