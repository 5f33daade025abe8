/**
 * Compatibility modes as the Confluent registry names them. BACKWARD: the new schema reads data
 * written with the previous one (upgrade consumers first). FORWARD: the previous schema reads
 * data written with the new one (upgrade producers first). FULL: both. *_TRANSITIVE: against
 * every earlier version, not only the previous one.
 */
export const COMPATIBILITY_MODES = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
] as const;

export type CompatibilityMode = (typeof COMPATIBILITY_MODES)[number];

export const DEFAULT_COMPATIBILITY: CompatibilityMode = 'BACKWARD_TRANSITIVE';

export function isCompatibilityMode(value: string): value is CompatibilityMode {
  return (COMPATIBILITY_MODES as readonly string[]).includes(value);
}

/** Which directions a mode demands, and against which earlier versions. */
export function modeRules(mode: CompatibilityMode): {
  backward: boolean;
  forward: boolean;
  transitive: boolean;
} {
  return {
    backward: mode.startsWith('BACKWARD') || mode.startsWith('FULL'),
    forward: mode.startsWith('FORWARD') || mode.startsWith('FULL'),
    transitive: mode.endsWith('_TRANSITIVE'),
  };
}
