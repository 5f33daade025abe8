import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: reports go under its ignored out/ folder. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
