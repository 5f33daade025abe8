import { isUtf8 } from 'node:buffer';
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

export function strictJsonBodies(app: HttpApp): void {
  // fastify's own parser after the UTF-8 check: empty-body and __proto__/constructor refusals stay.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (request, body: Buffer, done) => {
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
      // It answers through `done` (its type allows a promise, which it never returns).
      void parseJson(request, text, done);
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
