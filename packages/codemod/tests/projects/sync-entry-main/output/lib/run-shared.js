// Running the shared tool in process: its top level must finish when require returns.
require('../bin/shared');
console.log('done');
