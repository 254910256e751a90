const fs = require('fs');

function load(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function has(file) {
  return fs.existsSync(file);
}

function size(file) {
  return fs.statSync(file).size;
}

function save(file, value) {
  fs.writeFileSync(file, JSON.stringify(value));
}

function revision() {
  return require('child_process').execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim();
}

module.exports = { load, has, size, save, revision };
