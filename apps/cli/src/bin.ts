#!/usr/bin/env node
/**
 * The `baql` executable. Loads only the command line wiring; each command imports its own code.
 */
import { processIo } from './io.js';
import { main } from './program.js';

process.exitCode = await main(process.argv.slice(2), processIo());
