import { FrameworkLogger, frameworkLogLevel } from './framework-logger';

function recording() {
  const calls: { level: string; args: unknown[] }[] = [];
  const at =
    (level: string) =>
    (...args: unknown[]) =>
      void calls.push({ level, args });
  return {
    calls,
    logger: {
      log: at('log'),
      error: at('error'),
      warn: at('warn'),
      debug: at('debug'),
      verbose: at('verbose'),
      fatal: at('fatal'),
    },
  };
}

describe('frameworkLogLevel', () => {
  it.each([
    ['RoutesResolver', 'HealthController {/health}:'],
    ['RouterExplorer', 'Mapped {/v1/exchanges, POST} route'],
    ['InstanceLoader', 'AppModule dependencies initialized'],
    ['NestFactory', 'Starting Nest application...'],
    ['NestApplication', 'Nest application successfully started'],
  ])("moves Nest's %s messages to debug", (context) => {
    expect(frameworkLogLevel([context])).toBe('debug');
  });

  it("keeps the application's own contexts, and messages without one, at info", () => {
    expect(frameworkLogLevel(['gateway'])).toBe('info');
    expect(frameworkLogLevel([])).toBe('info');
    // A context is a string in last place; an object there is data, whatever it holds.
    expect(frameworkLogLevel([{ context: 'RouterExplorer' }])).toBe('info');
  });
});

describe('FrameworkLogger', () => {
  it('writes route mappings at debug, with their message and context unchanged', () => {
    const { calls, logger } = recording();
    new FrameworkLogger(logger).log('Mapped {/v1/exchanges, POST} route', 'RouterExplorer');
    expect(calls).toEqual([{ level: 'debug', args: ['Mapped {/v1/exchanges, POST} route', 'RouterExplorer'] }]);
  });

  it("leaves the application's messages at info, and anyone's warnings and errors at theirs", () => {
    const { calls, logger } = recording();
    const framework = new FrameworkLogger(logger);
    framework.log('migrations applied', 'gateway');
    framework.warn('a module could not be resolved', 'InstanceLoader');
    framework.error('route conflict', 'stack', 'RouterExplorer');
    expect(calls.map((call) => call.level)).toEqual(['log', 'warn', 'error']);
  });
});
