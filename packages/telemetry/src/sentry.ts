import { createRequire } from 'node:module';

type SentrySdk = typeof import('@sentry/node');
// Loaded only with a dsn: the SDK alone holds about 40 MB of memory in each process.
const loadSentry = (): SentrySdk => createRequire(import.meta.url)('@sentry/node') as SentrySdk;

export interface ErrorReporterOptions {
  /** SENTRY_DSN; empty turns reporting off. */
  dsn: string;
  release: string;
  serverName?: string;
  environment?: string;
}

export interface ErrorReporter {
  readonly enabled: boolean;
  /** `context` is attached to the event as `extra`. */
  captureException(err: unknown, context?: Record<string, unknown>): void;
  captureMessage(message: string, context?: Record<string, unknown>): void;
  /** Resolves false when events were still pending at the timeout. */
  flush(timeoutMs?: number): Promise<boolean>;
}

const DEFAULT_FLUSH_TIMEOUT_MS = 2000;

const disabled: ErrorReporter = {
  enabled: false,
  captureException: () => {},
  captureMessage: () => {},
  flush: async () => true,
};

/**
 * Sentry is process-global: create one reporter per process. Without a dsn the SDK
 * is not even loaded, so it costs nothing when reporting is off.
 */
export function createErrorReporter(opts: ErrorReporterOptions): ErrorReporter {
  if (opts.dsn === '') return disabled;
  const Sentry = loadSentry();

  Sentry.init({
    dsn: opts.dsn,
    release: opts.release,
    ...(opts.serverName !== undefined && { serverName: opts.serverName }),
    ...(opts.environment !== undefined && { environment: opts.environment }),
    sendDefaultPii: false,
    // Knocker reports errors only; it never traces (no tracesSampleRate). Tracing is
    // what the OpenTelemetry setup and the ESM loader hook exist for, and without a
    // `--import` preload they only cost: the hook starts a loader thread that wraps
    // every later import. So both are off.
    skipOpenTelemetrySetup: true,
    registerEsmLoaderHooks: false,
    // Explicit integrations instead of the defaults. Left out on purpose: the global
    // uncaughtException/unhandledRejection handlers (they would change how the
    // apps crash and shut down; the apps report fatal errors themselves), console,
    // http and fetch instrumentation (breadcrumbs of every relayed request would be
    // per-request overhead and could carry target URLs), local variables (inspector).
    defaultIntegrations: false,
    integrations: [
      Sentry.eventFiltersIntegration(),
      Sentry.functionToStringIntegration(),
      Sentry.linkedErrorsIntegration(),
      Sentry.nodeContextIntegration(),
      Sentry.contextLinesIntegration(),
    ],
  });

  return {
    enabled: true,
    captureException(err, context) {
      Sentry.captureException(err, context === undefined ? undefined : { extra: context });
    },
    captureMessage(message, context) {
      Sentry.captureMessage(message, context === undefined ? undefined : { extra: context });
    },
    flush: (timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS) => Sentry.flush(timeoutMs),
  };
}
