import { isUtf8 } from 'node:buffer';
import secureJson from 'secure-json-parse';
import type { HttpApp } from './http-app.js';
import { HttpProblem } from './problem.js';

/**
 * Request bodies are JSON in UTF-8 with no content coding and sane nesting, or they are refused
 * with a problem. Left to itself fastify decodes invalid UTF-8 into U+FFFD, so a damaged customer
 * id or address was stored as if the client had sent it; it ignores Content-Encoding, so a body
 * declared gzip was parsed as if it were plain text; and a 1 MiB body of `[[[[…` made it build
 * half a million nested arrays (and then walk them) before the schema refused it, some 50 MB per
 * request (all three found by the chaos suite's HTTP fuzzing).
 */
export const MAX_JSON_DEPTH = 64;

/** Whether `text` nests arrays/objects deeper than `max`, by a scan that builds nothing. */
export function jsonDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth -= 1;
    }
  }
  return false;
}

/**
 * JSON.parse by secure-json-parse (what fastify uses), refusing `__proto__` and
 * `constructor.prototype` keys with a problem naming the key: fastify's own parser reported them
 * as "Body is not valid JSON", which sent clients looking for a syntax error.
 */
export function parseJsonText(text: string): unknown {
  if (text.trim() === '') {
    throw new HttpProblem({
      status: 400,
      code: 'empty-body',
      detail: 'The request body is empty, but its Content-Type says JSON',
    });
  }
  try {
    return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    const message = (error as Error).message;
    const found = /forbidden (prototype|constructor) property/.test(message)
      ? forbiddenKey(JSON.parse(text), '')
      : undefined;
    if (found !== undefined) {
      const { key, path } = found;
      throw new HttpProblem({
        status: 400,
        code: 'forbidden-key',
        detail: `The request body has a "${key}" key at body${path}, which is refused: it could alter object prototypes`,
        extensions: {
          errors: [{ path: `body${path}`, property: key, message: 'is not an allowed key' }],
        },
      });
    }
    throw new HttpProblem({
      status: 400,
      code: 'invalid-json',
      detail: `The request body is not valid JSON: ${message}`,
      cause: error,
    });
  }
}

/**
 * Where secure-json-parse found its forbidden key. Plain JSON.parse makes `__proto__` an own
 * property (it never sets a prototype), so walking its result is safe.
 */
function forbiddenKey(value: unknown, path: string): { key: string; path: string } | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (Object.hasOwn(value, '__proto__')) return { key: '__proto__', path };
  const record = value as Record<string, unknown>;
  const ctor = Object.hasOwn(value, 'constructor') ? record.constructor : undefined;
  if (ctor !== null && typeof ctor === 'object' && Object.hasOwn(ctor, 'prototype')) {
    return { key: 'constructor', path };
  }
  for (const [name, child] of Object.entries(record)) {
    const found = forbiddenKey(child, `${path}/${name}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function strictJsonBodies(app: HttpApp): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (_request, body: Buffer, done) => {
      if (!isUtf8(body)) {
        done(
          new HttpProblem({
            status: 400,
            code: 'invalid-utf8',
            detail: 'The request body is not valid UTF-8, which JSON requires (RFC 8259 §8.1)',
          }),
          undefined,
        );
        return;
      }
      const text = body.toString('utf8');
      if (jsonDeeperThan(text, MAX_JSON_DEPTH)) {
        done(
          new HttpProblem({
            status: 400,
            code: 'too-deep',
            detail: `The request body nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels`,
          }),
          undefined,
        );
        return;
      }
      let parsed: unknown;
      try {
        parsed = parseJsonText(text);
      } catch (error) {
        done(error as HttpProblem, undefined);
        return;
      }
      done(null, parsed);
    },
  );

  app.addHook('onRequest', (request, _reply, done) => {
    const coding = request.headers['content-encoding'];
    if (coding === undefined || coding.trim().toLowerCase() === 'identity') {
      done();
      return;
    }
    done(
      new HttpProblem({
        status: 415,
        code: 'unsupported-content-encoding',
        detail: `Content-Encoding ${coding} is not supported: send the body without a content coding`,
        extensions: { acceptEncoding: 'identity' },
      }),
    );
  });
}
