import type { FastifyReply } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from '@orderflow/service-runtime';
import type { UpstreamAnswer } from '../upstream.js';

/** Passes a service's answer on as it came: its status, and its JSON or problem details. */
export function relay(reply: FastifyReply, answer: UpstreamAnswer): FastifyReply {
  const type = answer.contentType.startsWith(PROBLEM_CONTENT_TYPE)
    ? PROBLEM_CONTENT_TYPE
    : 'application/json; charset=utf-8';
  return reply.status(answer.status).type(type).send(answer.body);
}

/** The query string of the given fields that are set, for a service call. */
export function queryOf(fields: Readonly<Record<string, string | undefined>>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined && value !== '') params.set(name, value);
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
