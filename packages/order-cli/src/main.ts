// Order CLI: `./dev order place|follow|get|list` — place orders with order-service and follow them.
import { run } from './program.js';

process.exitCode = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
});
