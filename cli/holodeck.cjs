#!/usr/bin/env node
// `npx holodeck` entry (package.json "bin"): runs the TypeScript CLI through tsx's require hook,
// in this process, so there is no build step and no second Node start-up.
"use strict";
require("tsx/cjs/api").register();
const { run } = require("./main.ts");

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`holodeck: internal error: ${error && error.message}\n`);
    process.exitCode = 5;
  },
);
