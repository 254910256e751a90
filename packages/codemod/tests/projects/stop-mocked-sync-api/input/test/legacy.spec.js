const sinon = require('sinon');
const settings = require('../lib/settings');

jest.mock('node:child_process', () => ({ execSync: () => 'abc\n' }));

it('saves without touching the disk', () => {
  const write = sinon.stub(require('fs'), 'writeFileSync');
  settings.save('x.json', { a: 1 });
  expect(write.calledOnce).toBe(true);
  write.restore();
});

it('reads the revision', () => {
  expect(settings.revision()).toBe('abc');
});
