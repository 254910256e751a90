const fs = require('fs');

/**
 * True when `path` exists (the async stand-in for existsSync).
 * @param {import('fs').PathLike} path
 */
async function pathExists(path) {
  try {
    await fs.promises.access(path);
    return true;
  } catch {
    return false;
  }
}

function load(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

async function has(file) {
  return pathExists(file);
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
