import { Command, CommanderError, Option } from 'commander';
import { ORDER_STATUSES, type OrderStatus } from './api.js';
import { OrderServiceClient } from './client.js';
import { tokenSource, type Acting } from './credentials.js';
import { CliError, EXIT } from './errors.js';
import { followOrder } from './follow.js';
import {
  collectItem,
  DEFAULT_BASE_URL,
  loadConfig,
  parseCountry,
  parseLimit,
  parseTimeoutSeconds,
  parseUrl,
  placeOrderBody,
  type PlaceOptions,
} from './options.js';
import {
  renderError,
  renderOrder,
  renderOrderPage,
  renderOutcome,
  renderStreamMessage,
} from './render.js';

/** The order CLI's commands; `run` parses arguments, runs one command and returns its exit code. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

interface UrlOption {
  readonly url?: string;
}
interface FollowFlags {
  readonly timeout: number;
}

const withUrl = (command: Command): Command =>
  command.option(
    '--url <url>',
    `order-service base URL (default: $ORDER_SERVICE_URL or ${DEFAULT_BASE_URL})`,
    parseUrl,
  );

const withTimeout = (command: Command): Command =>
  command.option(
    '--timeout <seconds>',
    `give up following after this long (exit ${EXIT.TIMEOUT})`,
    parseTimeoutSeconds,
    60,
  );

/** The exit codes, as --help prints them (the README's table says the same). */
export const EXIT_CODES_HELP = `
Exit codes:
  ${EXIT.OK}  done; for follow and place --follow: the order COMPLETED
  ${EXIT.NOT_COMPLETED}  the order ended CANCELLED or FAILED_NEEDS_ATTENTION (the reason is printed)
  ${EXIT.TIMEOUT}  the order was still not final when --timeout passed
  ${EXIT.BAD_REQUEST}  fix the command: bad arguments, or order-service refused the request (4xx:
     an invalid order, an unknown order id)
  ${EXIT.UNAVAILABLE}  try again later: order-service did not answer, broke off, failed (5xx, 429) or
     is not order-service

Authentication: ORDERFLOW_TOKEN is the bearer token when set; otherwise the CLI signs one with
the local stack's development key, as the customer of --customer (place, list --customer) or as
an admin (get, follow, list).`;

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const println = (text: string) => io.stdout(`${text}\n`);
  let exitCode: number = EXIT.OK;

  // Read once per run, and only when a command needs it: --help works whatever the environment.
  const client = (opts: UrlOption, acting: Acting = { role: 'admin' }) =>
    new OrderServiceClient({
      baseUrl: opts.url ?? loadConfig(io.env).baseUrl,
      token: tokenSource(acting, io.env),
    });

  async function follow(api: OrderServiceClient, orderId: string, flags: FollowFlags) {
    println(`following order ${orderId} at ${api.baseUrl} (up to ${flags.timeout} s)`);
    // A restarting service refuses connections for a while: say so once, not on every retry.
    let notice = '';
    const final = await followOrder(api, orderId, {
      timeoutMs: flags.timeout * 1000,
      onMessage: (message) => {
        notice = '';
        println(renderStreamMessage(message));
      },
      onReconnect: (why, lastVersion) => {
        const next = `… ${why.message}; resuming after version ${lastVersion}\n`;
        if (next !== notice) io.stderr(next);
        notice = next;
      },
    });
    const outcome = renderOutcome(final);
    println(outcome.text);
    exitCode = outcome.exitCode;
  }

  const program = new Command('./dev order')
    .description('Place orders with order-service and follow them to the end of the saga.')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP);

  const place = program
    .command('place')
    .description('place an order; prints its id and Location')
    .requiredOption(
      '--item <SKU:QTY>',
      'a line of the order, e.g. USB-C-CABLE:2 (repeat for more lines)',
      collectItem,
    )
    .requiredOption('--token <token>', 'payment token, e.g. tok_approve (the simulated gateway)')
    .requiredOption('--customer <id>', 'customer id: the order’s customerId in the API')
    .requiredOption('--country <code>', 'ship-to country, ISO 3166-1 alpha-2', parseCountry)
    .option('--name <name>', 'ship-to name', 'Ada')
    .option('--line1 <line>', 'ship-to street line', '1 Main St')
    .option('--line2 <line>', 'ship-to second line')
    .option('--city <city>', 'ship-to city', 'Paris')
    .option('--postal-code <code>', 'ship-to postal code', '75001')
    .option('--idempotency-key <key>', 'retrying with the same key and body answers the same order')
    .option('--follow', 'then follow the order until it is final, as `follow` does')
    .addHelpText('after', EXIT_CODES_HELP);
  withTimeout(withUrl(place)).action(
    async (
      opts: PlaceOptions & UrlOption & FollowFlags & { idempotencyKey?: string; follow?: boolean },
    ) => {
      const api = client(opts, { role: 'customer', customerId: opts.customer });
      const placed = await api.placeOrder(placeOrderBody(opts), opts.idempotencyKey);
      const { orderId, status } = placed.order;
      println(
        placed.replayed
          ? `✓ order ${orderId} was already placed with idempotency key ${opts.idempotencyKey ?? ''} (now ${status})`
          : `✓ order ${orderId} placed (HTTP ${placed.status})`,
      );
      println(`  Location: ${placed.location}`);
      if (opts.follow) await follow(api, orderId, opts);
    },
  );

  const follower = program
    .command('follow')
    .description('print the order’s changes as they happen, until it is final')
    .argument('<orderId>', 'the order id, as place prints it')
    .addHelpText('after', EXIT_CODES_HELP);
  withTimeout(withUrl(follower)).action(async (orderId: string, opts: UrlOption & FollowFlags) => {
    await follow(client(opts), orderId, opts);
  });

  const get = program
    .command('get')
    .description('show one order: status, priced lines, total, step log, cancellation reason')
    .argument('<orderId>', 'the order id')
    .option('--json', 'print the order as the API returns it');
  withUrl(get).action(async (orderId: string, opts: UrlOption & { json?: boolean }) => {
    const order = await client(opts).getOrder(orderId);
    println(opts.json ? JSON.stringify(order, null, 2) : renderOrder(order));
  });

  const list = program
    .command('list')
    .description('list orders, newest first')
    .option('--customer <id>', 'only this customer’s orders (the API’s ?customerId=)')
    .addOption(
      new Option('--status <status>', 'only orders in this status').choices(ORDER_STATUSES),
    )
    .option('--limit <n>', 'at most this many (1-100, default 20)', parseLimit)
    .option('--cursor <cursor>', 'the next page, as a previous list printed it')
    .option('--json', 'print the page as the API returns it');
  withUrl(list).action(
    async (
      opts: UrlOption & {
        customer?: string;
        status?: OrderStatus;
        limit?: number;
        cursor?: string;
        json?: boolean;
      },
    ) => {
      const acting: Acting =
        opts.customer === undefined
          ? { role: 'admin' }
          : { role: 'customer', customerId: opts.customer };
      const page = await client(opts, acting).listOrders({
        ...(opts.customer === undefined ? {} : { customerId: opts.customer }),
        ...(opts.status === undefined ? {} : { status: opts.status }),
        ...(opts.limit === undefined ? {} : { limit: opts.limit }),
        ...(opts.cursor === undefined ? {} : { cursor: opts.cursor }),
      });
      println(opts.json ? JSON.stringify(page, null, 2) : renderOrderPage(page));
    },
  );

  // `./dev order -- place ...` (pnpm) hands the separator over too.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  try {
    await program.parseAsync(args, { from: 'user' });
    return exitCode;
  } catch (error) {
    // Commander has already printed its message (usage errors) or the help.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.OK : EXIT.BAD_REQUEST;
    if (error instanceof CliError) {
      io.stderr(`${renderError(error)}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
