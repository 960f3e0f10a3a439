import { join } from 'node:path';

/** The admin CLI as `npm run cli` runs it: compiled, from dist/ (build first: npx tsc -p tsconfig.build.json). */
export const CLI_MAIN = join(__dirname, '..', '..', 'dist', 'cli', 'main.js');
