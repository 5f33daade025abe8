import { countries } from 'countries-list';
import { HttpProblem } from '@orderflow/service-runtime';
import type { PlaceOrderBody } from './place-order.js';

/**
 * What POST /orders checks beyond its JSON schema, and the body it then uses: names and address
 * lines trimmed, never blank, free of control characters (a bell or an ANSI escape would reach
 * labels, logs and terminals) and not made only of invisible characters (zero-width spaces and
 * other format characters render as nothing on a parcel). The country list is countries-list's
 * ISO 3166-1 alpha-2 codes, so the schema can enumerate them.
 */
export const COUNTRY_CODES: readonly string[] = Object.keys(countries).sort();

const CONTROL = /\p{Cc}/u;
// Visible: anything but whitespace, control and format characters, and the blank letters
// (Hangul fillers, braille blank) that render as nothing.
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\u115F\u1160\u3164\uFFA0\u2800]/u;

interface Issue {
  readonly path: string;
  readonly message: string;
}

function textIssue(path: string, value: string): Issue | undefined {
  if (CONTROL.test(value)) return { path, message: 'must not contain control characters' };
  if (!VISIBLE.test(value)) return { path, message: 'must contain a visible character' };
  return undefined;
}

/** The body to place, normalised; or a 400 problem listing every field that breaks a rule. */
export function checkedOrderBody(body: PlaceOrderBody): PlaceOrderBody {
  const address = body.shippingAddress;
  const trimmed = {
    name: address.name.trim(),
    line1: address.line1.trim(),
    line2: address.line2?.trim(),
    city: address.city.trim(),
    postalCode: address.postalCode.trim(),
  };
  const issues = [
    textIssue('body/customerId', body.customerId),
    CONTROL.test(body.payment.token)
      ? { path: 'body/payment/token', message: 'must not contain control characters' }
      : undefined,
    textIssue('body/shippingAddress/name', trimmed.name),
    textIssue('body/shippingAddress/line1', trimmed.line1),
    // An optional second line may be empty; it is stored as no line then.
    trimmed.line2 === undefined || trimmed.line2 === ''
      ? undefined
      : textIssue('body/shippingAddress/line2', trimmed.line2),
    textIssue('body/shippingAddress/city', trimmed.city),
    textIssue('body/shippingAddress/postalCode', trimmed.postalCode),
  ].filter((issue) => issue !== undefined);
  if (issues.length > 0) {
    throw new HttpProblem({
      status: 400,
      code: 'validation-error',
      detail: 'The request body is invalid',
      extensions: { errors: issues },
    });
  }
  const { line2, ...required } = trimmed;
  return {
    ...body,
    shippingAddress: {
      ...required,
      ...(line2 === undefined || line2 === '' ? {} : { line2 }),
      country: address.country,
    },
  };
}
