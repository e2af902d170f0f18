#!/usr/bin/env node
// The `ramp` command. Ramp ships its TypeScript sources and runs them through tsx (a pinned dependency),
// so there is no separate build step to forget.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
