// Kiln's runner for a JavaScript test program: console.assert throws (Node's only prints
// "Assertion failed"), the program is loaded as node would run it (a CommonJS module), and the
// run's nonce, read from stdin, is printed only after it returned, so process.exit(0) does not pass.
'use strict';
const fs = require('fs');
const nonce = fs.readFileSync(0, 'utf8').split('\n')[0];
console.assert = function (condition, ...data) {
  if (!condition) {
    const err = new Error('Assertion failed' + (data.length ? ': ' + data.join(' ') : ''));
    err.name = 'AssertionError';
    throw err;
  }
};
try {
  require(process.argv[2]);
} catch (e) {
  const name = e && e.name ? e.name : 'Error';
  const message = e && e.message !== undefined ? String(e.message).split('\n')[0] : String(e);
  process.stderr.write('\nKILN-FAILED ' + name + ': ' + message + '\n');
  process.exit(1);
}
process.stdout.write('\n' + nonce + '\n');
