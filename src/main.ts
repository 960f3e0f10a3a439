import 'reflect-metadata';
import { ConfigError, loadConfig } from './platform/config/config';
import { startTelemetry } from './platform/telemetry/telemetry';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // Tracing patches http and pg as they are loaded, so it starts before the
  // application modules are imported.
  const telemetry = startTelemetry(config.otel);
  const { bootstrap } = await import('./bootstrap');
  await bootstrap(config, telemetry);
}

main().catch((error: unknown) => {
  process.stderr.write(`Passerelle failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
