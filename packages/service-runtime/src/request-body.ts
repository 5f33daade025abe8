import { isUtf8 } from 'node:buffer';
import type { HttpApp } from './http-app.js';
import { HttpProblem } from './problem.js';

/**
 * Request bodies are JSON in UTF-8 with no content coding, or they are refused with a problem.
 * Left to itself fastify decodes invalid UTF-8 into U+FFFD, so a damaged customer id or address
 * was stored as if the client had sent it, and it ignores Content-Encoding, so a body declared
 * gzip was parsed as if it were plain text (both found by the chaos suite's HTTP fuzzing).
 */
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
      // It answers through `done` (its type allows a promise, which it never returns).
      void parseJson(request, body.toString('utf8'), done);
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
