#!/usr/bin/env node
// Runs the bundled CLI (npm run build writes out/main/cli.js).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'out', 'main', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('error: ops-console is not built yet: run `npm run build` in ' + path.join(__dirname, '..') + '\n');
  process.exit(1);
}
// Exit explicitly: an idle pool or timer must not keep a cron job hanging.
require(cli)
  .runCli(process.argv.slice(2))
  .then(
    // …but only once stdout has taken everything: to a pipe, process.exit() right after a large
    // write (a fleet run's JSON, ~1 MB for 200 targets) cut it short. The empty write's callback
    // runs after every earlier write has been handed to the OS.
    (code) => process.stdout.write('', () => process.exit(code)),
    (err) => {
      process.stderr.write('error: ' + (err && err.message ? err.message : String(err)) + '\n');
      process.exit(1);
    },
  );
