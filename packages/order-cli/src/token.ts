// Token CLI: `./dev token --role customer --sub c-1` prints a bearer token signed with the local stack's dev key.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { devSigner, ensureDevKeyPair, ROLES } from '@orderflow/auth';
import { stackDir } from './credentials.js';

const program = new Command('./dev token')
  .description(
    'Print a bearer token for the local stack, signed with its development key (.stack/auth/, created if missing).',
  )
  .exitOverride()
  .addOption(new Option('--role <role>', 'the token’s role').choices(ROLES).default('customer'))
  .requiredOption(
    '--sub <id>',
    'the token’s subject: a customer’s customerId, or an operator’s name',
  )
  .option(
    '--expires-in <seconds>',
    'lifetime in seconds (default 3600)',
    (value: string) => {
      const seconds = Number(value);
      if (!Number.isInteger(seconds) || seconds < 1 || seconds > 30 * 24 * 3600) {
        throw new InvalidArgumentError('a whole number of seconds from 1 to 2592000 (30 days)');
      }
      return seconds;
    },
    3600,
  );

try {
  program.parse(
    process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--')),
    {
      from: 'user',
    },
  );
  const opts = program.opts<{ role: string; sub: string; expiresIn: number }>();
  // Creates the pair when there is none yet (docker-compose mounts its public half), else keeps it.
  await ensureDevKeyPair(stackDir(process.env));
  const sign = await devSigner(stackDir(process.env));
  process.stdout.write(
    `${await sign({ sub: opts.sub, roles: [opts.role], expiresInSeconds: opts.expiresIn })}\n`,
  );
} catch (error) {
  if (error instanceof CommanderError) process.exitCode = error.exitCode === 0 ? 0 : 3;
  else {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 3;
  }
}
