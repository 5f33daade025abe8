/**
 * Who a verified token speaks for. The roles claim is `roles`, an array of strings: `customer`
 * (reads and places the orders whose customerId is the token's `sub`) and `admin` (operators:
 * every order, inventory changes, saga resumes). Other strings are ignored, so a token of
 * another audience's role grants nothing here.
 */
export const ROLES = ['customer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLES_CLAIM = 'roles';

export interface Principal {
  /** The token's `sub`: for a customer, their customerId. */
  readonly sub: string;
  readonly roles: readonly Role[];
}

export function isAdmin(principal: Principal): boolean {
  return principal.roles.includes('admin');
}

/** Whether the principal may see what belongs to `customerId`: an admin, or that customer. */
export function mayActFor(principal: Principal, customerId: string): boolean {
  return (
    isAdmin(principal) || (principal.roles.includes('customer') && principal.sub === customerId)
  );
}

export function knownRoles(claim: unknown): Role[] {
  if (!Array.isArray(claim)) return [];
  return ROLES.filter((role) => claim.includes(role));
}
