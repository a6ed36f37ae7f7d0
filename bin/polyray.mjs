#!/usr/bin/env node
// Thin launcher: the CLI is compiled to lib/ by the set-up (npm run build:lib).
import { main } from '../lib/cli/main.js';
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
