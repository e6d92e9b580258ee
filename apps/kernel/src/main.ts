#!/usr/bin/env node
/**
 * The launcher `kernel.json` runs: `node dist/main.js run {connection_file}`.
 *
 * @since 0.1.0
 * @module
 */
import { runKernelCli } from './cli.js';

process.exitCode = await runKernelCli(process.argv.slice(2));
