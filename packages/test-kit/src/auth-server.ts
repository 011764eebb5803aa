import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real OAuth 2.0 authorization server (oidc-provider) for the client-credentials grant, on loopback. */
export interface AuthServer {
  issuer: string;
  tokenUrl: string;
  /** The public keys its JWT access tokens are signed with. */
  jwks: { keys: Array<Record<string, unknown>> };
  /** Requests to the token endpoint so far, failed ones included. */
  tokenRequests: number;
  /** While true, the token endpoint answers 500 without asking the provider. */
  failing: boolean;
  /** What a target checks, with jose: the signature against these keys, the issuer and the audience. Undefined when any fails. */
  verify(token: string): Promise<{ jti: string; client_id: string; aud: unknown } | undefined>;
  close(): Promise<void>;
}

export interface AuthClient {
  clientId: string;
  clientSecret: string;
  /** client_secret_basic (default) or client_secret_post. */
  method?: 'client_secret_basic' | 'client_secret_post';
}

export interface AuthServerOptions {
  clients: AuthClient[];
  /** The resource indicator (RFC 8707) tokens are issued for: their `aud`. */
  resource: string;
  /** The scope the resource server grants. */
  scope?: string;
  /** Access token lifetime in seconds. */
  ttlSeconds?: number;
  /** Loopback address to listen on: 127.0.0.1 by default. */
  host?: string;
}

/**
 * Starts oidc-provider with client credentials and resource indicators, issuing RS256 JWT
 * access tokens whose audience is `resource`. It prints a warning about Node 20 and its
 * development adapter on start; both are fine for tests.
 */
export async function startAuthServer(opts: AuthServerOptions): Promise<AuthServer> {
  const { default: Provider } = (await import('oidc-provider')) as { default: new (issuer: string, config: object) => { callback(): http.RequestListener } };
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'kt-1';
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const scope = opts.scope ?? 'deliver';
  const server = http.createServer();
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const issuer = `http://${host}:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: opts.clients.map((c) => ({
      client_id: c.clientId, client_secret: c.clientSecret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [],
      token_endpoint_auth_method: c.method ?? 'client_secret_basic', scope,
    })),
    scopes: [scope],
    jwks: { keys: [jwk] },
    cookies: { keys: ['test-kit-cookie-key'] },
    ttl: { ClientCredentials: (_ctx: unknown, token: { resourceServer?: { accessTokenTTL?: number } }) => token.resourceServer?.accessTokenTTL ?? 3600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => opts.resource,
        getResourceServerInfo: () => ({ scope, audience: opts.resource, accessTokenTTL: opts.ttlSeconds ?? 3600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
      },
    },
  });
  const handle = provider.callback();
  const { createLocalJWKSet, jwtVerify } = await import('jose');
  const keys = createLocalJWKSet({ keys: [publicJwk] as never });
  const auth: AuthServer = {
    issuer,
    tokenUrl: `${issuer}/token`,
    jwks: { keys: [publicJwk] },
    tokenRequests: 0,
    failing: false,
    verify: async (token) => {
      try {
        const { payload } = await jwtVerify(token, keys, { issuer, audience: opts.resource });
        return { jti: String(payload.jti), client_id: String(payload.client_id), aud: payload.aud };
      } catch {
        return undefined;
      }
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.method === 'POST' && req.url?.startsWith('/token')) {
      auth.tokenRequests++;
      if (auth.failing) {
        req.resume();
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"server_error","error_description":"failing on purpose"}');
        return;
      }
    }
    handle(req, res);
  });
  return auth;
}
