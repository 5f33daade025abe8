/**
 * Rewrites a compose service's environment so its command runs on this machine against the
 * launcher's stack: compose host names (`kafka:29092`, `http://schema-registry:8080/...`,
 * `postgres://...@postgres:5432/db`) become the launcher's addresses, bind-mount targets become
 * their host paths, and the port variable moves by the launcher's SERVICE_PORT_OFFSET. Only
 * values are rewritten, never names: a variable compose misspells stays misspelled, and the
 * service that needs it fails as it would in a container.
 */
export interface Address {
  readonly host: string;
  readonly port: number;
}

export interface PostgresStandIn {
  /** The compose service whose URLs are Postgres connection strings (`postgres`). */
  readonly service: string;
  /** The launcher server's credentials replace compose's (they belong to compose's container). */
  readonly username: string;
  readonly password: string;
  /** Put before every database name but the admin one, as DATABASE_NAME_PREFIX does. */
  readonly databasePrefix: string;
  /** The database that is the server itself (`postgres`), never prefixed. */
  readonly adminDatabase: string;
}

export interface ComposeMapping {
  /** Every compose service name: a value naming one the check has no address for is an error. */
  readonly composeServices: readonly string[];
  /** `<compose service>:<container port>` → where the check provides that endpoint. */
  readonly addresses: ReadonlyMap<string, Address>;
  readonly postgres?: PostgresStandIn | undefined;
  /** Bind mounts of the service: container path → host path. */
  readonly mounts: ReadonlyMap<string, string>;
  /** The variable that holds the port a service listens on, and how far to move it. */
  readonly portVariable: string;
  readonly portOffset: number;
}

export interface Rewrite {
  readonly name: string;
  readonly from: string;
  readonly to: string;
}

export interface MappedEnvironment {
  readonly env: Readonly<Record<string, string>>;
  readonly rewrites: readonly Rewrite[];
}

export class UnmappedReferenceError extends Error {
  constructor(
    readonly variable: string,
    readonly reference: string,
  ) {
    super(
      `${variable} names ${reference}, a compose service the check has no stand-in for: add one to the check's address map (infra/src/compose-check/) or fix the value`,
    );
    this.name = 'UnmappedReferenceError';
  }
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  'http:': 80,
  'https:': 443,
  'postgres:': 5432,
  'postgresql:': 5432,
};

// scheme://[user[:password]@]host[:port][rest]
const URL_PATTERN = /^([a-z][a-z0-9+.-]*:)\/\/(?:([^@/?#]*)@)?([^:/?#]+)(?::(\d+))?(.*)$/i;

export function mapEnvironment(
  environment: Readonly<Record<string, string>>,
  mapping: ComposeMapping,
): MappedEnvironment {
  const env: Record<string, string> = {};
  const rewrites: Rewrite[] = [];
  for (const [name, value] of Object.entries(environment)) {
    const mapped = mapValue(name, value, mapping);
    assertNoComposeHost(name, mapped, mapping);
    env[name] = mapped;
    if (mapped !== value) rewrites.push({ name, from: value, to: mapped });
  }
  return { env, rewrites };
}

function mapValue(name: string, value: string, mapping: ComposeMapping): string {
  if (name === mapping.portVariable && /^\d+$/.test(value)) {
    return String(Number(value) + mapping.portOffset);
  }
  for (const [target, source] of mapping.mounts) {
    if (value === target) return source;
    if (value.startsWith(`${target}/`)) return source + value.slice(target.length);
  }
  const url = URL_PATTERN.exec(value);
  if (url) return mapUrl(name, url, mapping);
  const items = value.split(',');
  if (items.every((item) => /^[^\s:,/]+:\d+$/.test(item.trim()))) {
    return items.map((item) => mapHostPort(name, item.trim(), mapping)).join(',');
  }
  return value;
}

function mapHostPort(name: string, hostPort: string, mapping: ComposeMapping): string {
  const [host = '', port = ''] = hostPort.split(':');
  if (!mapping.composeServices.includes(host)) return hostPort;
  const address = lookup(name, host, Number(port), mapping);
  return `${address.host}:${address.port}`;
}

function mapUrl(name: string, match: RegExpExecArray, mapping: ComposeMapping): string {
  const [whole, scheme = '', userinfo, host = '', port, rest = ''] = match;
  if (!mapping.composeServices.includes(host)) return whole;
  const address = lookup(
    name,
    host,
    port ? Number(port) : DEFAULT_PORTS[scheme.toLowerCase()],
    mapping,
  );
  const pg = mapping.postgres?.service === host ? mapping.postgres : undefined;
  if (!pg) {
    const auth = userinfo === undefined ? '' : `${userinfo}@`;
    return `${scheme}//${auth}${address.host}:${address.port}${rest}`;
  }
  const credentials = pg.password
    ? `${encodeURIComponent(pg.username)}:${encodeURIComponent(pg.password)}`
    : encodeURIComponent(pg.username);
  const database = /^\/([^?#/]+)(.*)$/.exec(rest);
  const path =
    database && database[1] !== pg.adminDatabase
      ? `/${pg.databasePrefix}${database[1]}${database[2] ?? ''}`
      : rest;
  return `${scheme}//${credentials}@${address.host}:${address.port}${path}`;
}

function lookup(
  name: string,
  host: string,
  port: number | undefined,
  mapping: ComposeMapping,
): Address {
  const key = `${host}:${port ?? '?'}`;
  const address = mapping.addresses.get(key);
  if (!address) throw new UnmappedReferenceError(name, key);
  return address;
}

/** A compose host left in a value (inside a longer string) would only fail later, obscurely. */
function assertNoComposeHost(name: string, value: string, mapping: ComposeMapping): void {
  for (const service of mapping.composeServices) {
    const found = new RegExp(`(^|[^\\w.-])${escape(service)}:\\d+`).exec(value);
    if (found) throw new UnmappedReferenceError(name, found[0].slice(found[1]?.length ?? 0));
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
