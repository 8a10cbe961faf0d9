#!/usr/bin/env node
// `npx holodeck` entry (package.json "bin"): runs the TypeScript CLI through tsx's require hook
// in this process, so there is no build step and no second Node start-up.
"use strict";
require("tsx/cjs/api").register();
require("./entry.ts");
