import 'reflect-metadata';
import { ConfigError, loadConfig } from './platform/config/config';
import { startTelemetry } from './platform/telemetry/telemetry';

/**
 * What `npm start` adds in development: each node's copy of the audit evidence
 * in `.data/audit-checkpoints`, beside the rest of the development state (the
 * evidence itself is stored with the log; `AUDIT_CHECKPOINT_DIR=off` keeps no copy).
 */
function withDevelopmentDefaults(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.NODE_ENV === 'production' || (env.AUDIT_CHECKPOINT_DIR ?? '') !== '') return env;
  return { ...env, AUDIT_CHECKPOINT_DIR: '.data/audit-checkpoints' };
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(withDevelopmentDefaults(process.env));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // Tracing patches http and pg as they are loaded, so it starts before the
  // application modules are imported.
  const telemetry = await startTelemetry(config.otel);
  const { bootstrap } = await import('./bootstrap');
  await bootstrap(config, telemetry);
}

main().catch((error: unknown) => {
  process.stderr.write(`Passerelle failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
