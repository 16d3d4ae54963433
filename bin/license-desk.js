#!/usr/bin/env node
// The command line's entry: the compiled CLI (built by `npm install` through the prepare script).
// A committed, executable launcher, because npm links a package's bin before prepare builds dist/.
require("../dist/src/cli.js").main();
