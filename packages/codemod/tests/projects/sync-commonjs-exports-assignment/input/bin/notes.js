#!/usr/bin/env node
'use strict';
const config = require('../lib/config');
const cache = require('../lib/cache');

async function main() {
  console.log(config.get().title, config.path());
  cache.clear();
}

main();
