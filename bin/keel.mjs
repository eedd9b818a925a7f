#!/usr/bin/env node
// Launcher: loads TypeScript through tsx (no build step), then runs the CLI.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/cli/main.ts', import.meta.url).href);
