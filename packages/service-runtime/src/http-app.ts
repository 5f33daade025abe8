import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type HTTPMethods,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import { METRICS_CONTENT_TYPE, metricsText, type Logger } from '@orderflow/telemetry';
import {
  HttpProblem,
  PROBLEM_CONTENT_TYPE,
  problemType,
  statusTitle,
  type ProblemDetails,
} from './problem.js';
import { measureHttpRequests } from './http-metrics.js';
import { strictJsonBodies } from './request-body.js';
import type { HttpSecurityOptions } from './security/config.js';
import { installSecurity } from './security/hardening.js';
import { unstorableTextPath } from './storable-text.js';

/**
 * The HTTP shell every service shares: one error handler rendering RFC 9457 problem details,
 * liveness/readiness, Prometheus metrics, OpenAPI docs at /docs, and request logs carrying the
 * `x-correlation-id` (taken from the request when well-formed, generated otherwise, echoed back).
 * Services add their routes to the returned instance; it never listens by itself.
 */
/** Each dependency's state: the string `'ok'`, or why it is not ready. */
export type ReadinessChecks = Record<string, string>;

export interface HttpAppOptions {
  readonly service: string;
  readonly logger: Logger;
  /** Each dependency's state: `'ok'` or why it is not ready. */
  readonly readiness: () => Promise<ReadinessChecks>;
  /** A readiness probe slower than this answers 503 instead of hanging the prober. */
  readonly readinessTimeoutMs?: number;
  /** Largest accepted request body; larger ones get 413. */
  readonly bodyLimitBytes?: number;
  readonly version?: string;
  readonly description?: string;
  /** Bearer-token keys, rate limit and request timeout (`httpSecurity(config)`). */
  readonly security: HttpSecurityOptions;
}

/** The fastify instance services get back: default server types, the telemetry pino logger. */
export type HttpApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  Logger
>;

export const CORRELATION_HEADER = 'x-correlation-id';

const BEARER_SCHEME = {
  type: 'http',
  scheme: 'bearer',
  bearerFormat: 'JWT',
  description:
    'A JWT signed by the configured issuer (AUTH_JWKS_URL or AUTH_PUBLIC_KEY_FILE), with `iss`, `aud`, `exp`, `sub` and `roles`: `["customer"]` (sub = customerId: own orders only) or `["admin"]` (every order, inventory changes, saga resumes). Missing, expired or invalid: 401; a role that may not use the route: 403; too many requests from one subject (or IP): 429.',
} as const;
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
/** A refused body up to this size is read and dropped, so the client gets to read the 413. */
export const OVERSIZED_BODY_DRAIN_BYTES = 16 * 1024 * 1024;
/** How long reading a refused body may take before the connection is cut instead. */
export const OVERSIZED_BODY_DRAIN_MS = 10_000;
// Accept a caller's id only if it is a sane token, so logs and headers cannot be polluted.
const CORRELATION_ID = /^[\w.:-]{1,128}$/;

function correlationId(req: IncomingMessage): string {
  const given = req.headers[CORRELATION_HEADER];
  const value = Array.isArray(given) ? given[0] : given;
  return value !== undefined && CORRELATION_ID.test(value) ? value : randomUUID();
}

export async function buildHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  const app: HttpApp = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    genReqId: correlationId,
    logController: new LogController({ requestIdLogLabel: 'correlationId' }),
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: false } },
    // Errors fastify raises before a route runs (a URL with broken percent-encoding, say) skip
    // the error handler below; they are problem details all the same.
    frameworkErrors: sendFrameworkProblem,
    // Time to receive a whole request; a slow sender (slowloris) gets 408 and its socket closed.
    // Answers are not bounded by it: Server-Sent Events streams stay open.
    requestTimeout: options.security.requestTimeoutMs,
    // Node looks for overdue requests every 30 s by default: a 5 s timeout would be up to 35 s.
    http: {
      headersTimeout: options.security.requestTimeoutMs,
      connectionsCheckingInterval: 1_000,
    },
  });

  // JSON APIs: fastify would otherwise parse text/plain too; anything but JSON is a 415.
  app.removeContentTypeParser('text/plain');
  strictJsonBodies(app);

  app.addHook('onRequest', async (request, reply) => {
    reply.header(CORRELATION_HEADER, request.id);
  });
  measureHttpRequests(app);
  await installSecurity(app, options.security);

  // Before schema validation: a string the database cannot store would otherwise pass the
  // schema and fail in Postgres as a 500 (every service keeps request values in Postgres).
  app.addHook('preValidation', (request, _reply, done) => {
    done(unstorableTextProblem(request));
  });

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') await drainOversizedBody(request, reply);
    const problem = toProblem(error, request);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ status: problem.status, problem: problem.type }, 'request refused');
    return reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = allowedMethods(app, path);
    if (allowed.length === 0) {
      return reply
        .status(404)
        .type(PROBLEM_CONTENT_TYPE)
        .send(problem(request, 404, `No route ${request.method} ${path}`));
    }
    // RFC 9110 §15.5.6: the path exists, so the answer is 405 and Allow says what would work.
    return reply
      .status(405)
      .header('allow', allowed.join(', '))
      .type(PROBLEM_CONTENT_TYPE)
      .send(
        problem(
          request,
          405,
          `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}`,
          {
            allow: allowed,
          },
        ),
      );
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: options.service,
        version: options.version ?? '0.1.0',
        ...(options.description ? { description: options.description } : {}),
      },
      components: { securitySchemes: { bearerAuth: BEARER_SCHEME } },
      // Every route needs a token unless its own `security: []` says otherwise (ops routes).
      security: [{ bearerAuth: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  const ops = { config: { access: 'public' }, schema: { tags: ['ops'], security: [] } } as const;
  app.get('/health/live', ops, () => Promise.resolve({ status: 'ok' }));

  app.get('/health/ready', ops, async (request, reply) => {
    const checks = await boundedReadiness(options.readiness, options.readinessTimeoutMs ?? 3_000);
    const failing = Object.entries(checks).filter(([, state]) => state !== 'ok');
    if (failing.length === 0) return { status: 'ok', checks };
    request.log.warn({ checks }, 'not ready');
    return reply
      .status(503)
      .type(PROBLEM_CONTENT_TYPE)
      .send(
        problem(request, 503, `Not ready: ${failing.map(([name]) => name).join(', ')}`, {
          type: problemType('not-ready'),
          checks,
        }),
      );
  });

  app.get('/metrics', ops, async (_request, reply) =>
    reply.type(METRICS_CONTENT_TYPE).send(await metricsText()),
  );

  return app;
}

async function boundedReadiness(
  readiness: () => Promise<ReadinessChecks>,
  timeoutMs: number,
): Promise<ReadinessChecks> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ReadinessChecks>((resolve) => {
    timer = setTimeout(() => resolve({ readiness: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([readiness(), timeout]);
  } catch (error) {
    return { readiness: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The methods that have a route for this concrete path, asked of fastify's own router, so every
 * route any service or plugin registers counts (HEAD included where fastify exposes it for GET).
 */
function allowedMethods(app: HttpApp, path: string): HTTPMethods[] {
  return (app.supportedMethods as HTTPMethods[]).filter(
    // findRoute answers null at run time when nothing matches, whatever its declared type says.
    (method) => (app.findRoute({ method, url: path }) as unknown) !== null,
  );
}

function problem(
  request: FastifyRequest,
  status: number,
  detail: string,
  extra: Partial<ProblemDetails> = {},
): ProblemDetails {
  return {
    type: problemType(),
    title: statusTitle(status),
    status,
    detail,
    instance: request.url,
    correlationId: request.id,
    ...extra,
  };
}

/** Any thrown error → problem details. Only client errors keep their message; 5xx say nothing internal. */
export function toProblem(error: FastifyError | Error, request: FastifyRequest): ProblemDetails {
  if (error instanceof HttpProblem) {
    return problem(request, error.status, error.message, {
      ...error.extensions,
      type: problemType(error.code),
      title: error.title,
    });
  }
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    const context = fastifyError.validationContext ?? 'body';
    const errors = fastifyError.validation.map((issue) => ({
      path: `${context}${issue.instancePath}`,
      message: issue.message ?? 'is invalid',
      ...(issue.keyword === 'additionalProperties'
        ? { property: String(issue.params.additionalProperty) }
        : {}),
    }));
    return problem(request, 400, `The request ${context} is invalid`, {
      type: problemType('validation-error'),
      errors,
    });
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return problem(request, status, error.message);
  }
  return problem(request, 500, 'An unexpected error occurred; it has been logged.');
}

/** A 400 naming the first string in the params, query or body that Postgres cannot store. */
function unstorableTextProblem(request: FastifyRequest): HttpProblem | undefined {
  const parts = { params: request.params, querystring: request.query, body: request.body };
  for (const [part, value] of Object.entries(parts)) {
    const path = unstorableTextPath(value);
    if (path === undefined) continue;
    return new HttpProblem({
      status: 400,
      code: 'unstorable-text',
      detail: `The request ${part} holds text with U+0000 or an unpaired surrogate at ${part}${path}`,
      extensions: {
        errors: [{ path: `${part}${path}`, message: 'must be well-formed Unicode without U+0000' }],
      },
    });
  }
  return undefined;
}

/**
 * fastify answers a body over the limit at once, with `Connection: close`, and closes the socket
 * while the client may still be sending it: the client then gets EPIPE or ECONNRESET instead of
 * the 413 (fetch did, in CI; so did 1 % of the chaos suite's oversized uploads). A body of
 * declared length up to OVERSIZED_BODY_DRAIN_BYTES is read and dropped first, for at most
 * OVERSIZED_BODY_DRAIN_MS (nginx's lingering close does the same), so the answer always arrives
 * and the connection can serve the next request; a longer or undeclared one is cut as before.
 */
async function drainOversizedBody(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const declared = Number(request.headers['content-length']);
  if (!(Number.isFinite(declared) && declared <= OVERSIZED_BODY_DRAIN_BYTES)) return;
  const raw = request.raw;
  if (!raw.complete) {
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      timer = setTimeout(resolve, OVERSIZED_BODY_DRAIN_MS);
      raw
        .once('end', resolve)
        .once('close', resolve)
        .once('error', () => resolve());
      raw.resume(); // no 'data' listener: what arrives is dropped
    });
    clearTimeout(timer);
  }
  if (raw.complete) reply.removeHeader('connection');
}

function sendFrameworkProblem(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const problem = toProblem(error, request);
  void reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}
