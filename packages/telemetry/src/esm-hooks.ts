import { register, supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs';
import type { InstrumentationName } from './instrumentations.js';

// The modules each instrumentation patches. `import` of a CommonJS package's entry point (and of
// `node:http`) bypasses the require hook OTel otherwise relies on, so in an ESM service kafkajs
// and the http server would silently go untraced. Fastify reports itself through a
// diagnostics channel and needs no hook.
const HOOKED_MODULES: Readonly<Record<InstrumentationName, readonly string[]>> = {
  http: ['node:http', 'node:https'],
  fastify: [],
  pg: ['pg', 'pg-pool'],
  kafkajs: ['kafkajs'],
};

/**
 * Installs import-in-the-middle's in-thread loader hook for just these modules (a narrow list:
 * intercepting every module is slower and has broken unrelated ESM packages). Only modules
 * imported after this call can be patched, hence `node --import ./instrument.js`.
 */
export function hookEsmImports(names: readonly InstrumentationName[]): void {
  const include = [...new Set(names.flatMap((name) => HOOKED_MODULES[name]))];
  if (include.length === 0) return;
  if (!supportsSyncHooks()) {
    throw new Error(
      `startTelemetry: Node ${process.version} cannot run synchronous loader hooks; use Node >= 24.11.1`,
    );
  }
  register({ include });
}
