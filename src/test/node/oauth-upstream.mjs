#!/usr/bin/env node
// An upstream MCP server behind its own OAuth authorization server that does NOT register clients
// dynamically — the common case (GitHub, Google, company IdPs) the TypeScript SDK's demo server does
// not show. Built on the SDK's own authorization-server handlers (authorize, token with PKCE, RFC 8414
// and RFC 9728 metadata, revocation): with no registerClient on the client store, the metadata has no
// registration_endpoint. Clients are pre-registered from the environment; with CIMD=1 the server also
// accepts a URL as client_id and fetches that Client ID Metadata Document (2025-11-25 authorization).
//
// Environment:
//   MCP_PORT, AUTH_PORT        where the MCP server (/mcp) and the authorization server listen (127.0.0.1)
//   CLIENT_ID, CLIENT_SECRET   the pre-registered client (secret optional: a public client with PKCE)
//   REDIRECT_URI               the pre-registered client's redirect URI
//   CIMD=1                     advertise client_id_metadata_document_supported and accept URL client ids
//   REFRESH=1                  issue refresh tokens (rotated on use)
//   API_KEY, API_KEY_HEADER,   instead of OAuth: a static key in that header, e.g. X-API-Key and "{token}",
//   API_KEY_FORMAT             or Authorization and "Token {token}"
// Test-only endpoints on the authorization server: POST /test/revoke-all (every token revoked at the
// provider, as when a person revokes the app or changes their password), POST /test/revoke-access (access
// tokens only: a refresh still works), GET /test/stats.
// MCP: tool whoami {note}, prompt greeting, resource whoami://127.0.0.1:<MCP_PORT>, each naming the caller's client.
import { randomUUID } from 'node:crypto';
import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { mcpAuthRouter, mcpAuthMetadataRouter, createOAuthMetadata, getOAuthProtectedResourceMetadataUrl } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { InvalidRequestError, InvalidTokenError, InvalidGrantError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { z } from 'zod';

const env = process.env;
const MCP_PORT = Number(env.MCP_PORT);
const AUTH_PORT = Number(env.AUTH_PORT);
const mcpUrl = new URL(`http://127.0.0.1:${MCP_PORT}/mcp`);
const issuer = new URL(`http://127.0.0.1:${AUTH_PORT}/`);
const stats = { authorizeClientIds: [], tokenGrants: [], metadataDocumentsFetched: [], refused: 0, calls: [] };

// --- the authorization server (skipped in API-key mode)

class PreRegisteredClients {
  constructor() {
    this.clients = new Map();
    if (env.CLIENT_ID) {
      this.clients.set(env.CLIENT_ID, {
        client_id: env.CLIENT_ID,
        client_secret: env.CLIENT_SECRET || undefined,
        redirect_uris: [env.REDIRECT_URI],
        token_endpoint_auth_method: env.CLIENT_SECRET ? 'client_secret_post' : 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      });
    }
  }
  async getClient(clientId) {
    if (this.clients.has(clientId)) return this.clients.get(clientId);
    if (env.CIMD === '1' && /^https?:\/\//.test(clientId)) {
      // A Client ID Metadata Document: fetched from the URL, its client_id must be that very URL.
      const res = await fetch(clientId, { headers: { Accept: 'application/json' } });
      if (res.status !== 200) return undefined;
      const doc = await res.json();
      stats.metadataDocumentsFetched.push(clientId);
      if (doc.client_id !== clientId || !Array.isArray(doc.redirect_uris)) return undefined;
      return { ...doc, token_endpoint_auth_method: 'none' };
    }
    return undefined; // no registerClient: this server registers nobody
  }
}

class Provider {
  constructor() {
    this.clientsStore = new PreRegisteredClients();
    this.codes = new Map();
    this.tokens = new Map();
    this.refreshTokens = new Map();
  }
  async authorize(client, params, res) {
    stats.authorizeClientIds.push(client.client_id);
    if (!client.redirect_uris.includes(params.redirectUri)) throw new InvalidRequestError('Unregistered redirect_uri');
    const code = randomUUID();
    this.codes.set(code, { client, params });
    const target = new URL(params.redirectUri);
    target.searchParams.set('code', code);
    if (params.state !== undefined) target.searchParams.set('state', params.state);
    target.searchParams.set('iss', issuer.href);
    res.redirect(target.toString()); // the person is signed in here already and approves at once
  }
  async challengeForAuthorizationCode(client, code) {
    const c = this.codes.get(code);
    if (!c) throw new InvalidGrantError('Invalid authorization code');
    return c.params.codeChallenge;
  }
  issue(clientId, scopes, resource) {
    const token = randomUUID();
    this.tokens.set(token, { token, clientId, scopes, resource, expiresAt: Date.now() + 3600_000 });
    const out = { access_token: token, token_type: 'bearer', expires_in: 3600, scope: scopes.join(' ') };
    if (env.REFRESH === '1') {
      const refresh = randomUUID();
      this.refreshTokens.set(refresh, { clientId, scopes, resource });
      out.refresh_token = refresh;
    }
    return out;
  }
  async exchangeAuthorizationCode(client, code) {
    const c = this.codes.get(code);
    if (!c || c.client.client_id !== client.client_id) throw new InvalidGrantError('Invalid authorization code');
    this.codes.delete(code);
    stats.tokenGrants.push({ grant: 'authorization_code', clientId: client.client_id });
    return this.issue(client.client_id, c.params.scopes || [], c.params.resource?.toString());
  }
  async exchangeRefreshToken(client, refreshToken) {
    const r = this.refreshTokens.get(refreshToken);
    if (!r || r.clientId !== client.client_id) throw new InvalidGrantError('Invalid refresh token');
    this.refreshTokens.delete(refreshToken);
    stats.tokenGrants.push({ grant: 'refresh_token', clientId: client.client_id });
    return this.issue(client.client_id, r.scopes, r.resource);
  }
  async verifyAccessToken(token) {
    const t = this.tokens.get(token);
    if (!t || t.expiresAt < Date.now()) {
      stats.refused++;
      throw new InvalidTokenError('Invalid or expired token');
    }
    return { token, clientId: t.clientId, scopes: t.scopes, expiresAt: Math.floor(t.expiresAt / 1000), resource: t.resource ? new URL(t.resource) : undefined };
  }
  async revokeToken(client, request) {
    this.tokens.delete(request.token);
    this.refreshTokens.delete(request.token);
  }
}

const provider = new Provider();
let verify;
const mcpApp = express();
mcpApp.use(express.json());

if (env.API_KEY) {
  const header = (env.API_KEY_HEADER || 'X-API-Key').toLowerCase();
  const expected = (env.API_KEY_FORMAT || '{token}').replace('{token}', env.API_KEY);
  verify = (req, res, next) => {
    if (req.headers[header] !== expected) {
      stats.refused++;
      res.status(401).json({ error: 'invalid_key', error_description: 'missing or wrong API key' });
      return;
    }
    next();
  };
} else {
  const authApp = express();
  authApp.use(express.json());
  authApp.use(express.urlencoded({ extended: false }));
  const metadata = createOAuthMetadata({ provider, issuerUrl: issuer, scopesSupported: ['mcp:tools'] });
  metadata.authorization_response_iss_parameter_supported = true;
  if (env.CIMD === '1') metadata.client_id_metadata_document_supported = true;
  authApp.get('/.well-known/oauth-authorization-server', (req, res) => res.json(metadata));
  authApp.post('/test/revoke-all', (req, res) => {
    const n = provider.tokens.size + provider.refreshTokens.size;
    provider.tokens.clear();
    provider.refreshTokens.clear();
    res.json({ revoked: n });
  });
  authApp.post('/test/revoke-access', (req, res) => {
    const n = provider.tokens.size;
    provider.tokens.clear(); // access tokens only: a refresh still works
    res.json({ revoked: n });
  });
  authApp.get('/test/stats', (req, res) => res.json(stats));
  authApp.use(mcpAuthRouter({ provider, issuerUrl: issuer, scopesSupported: ['mcp:tools'], authorizationOptions: { rateLimit: false },
    tokenOptions: { rateLimit: false }, revocationOptions: { rateLimit: false } }));
  authApp.listen(AUTH_PORT, '127.0.0.1', () => console.log(`authorization server on ${issuer.href}`));

  mcpApp.use(mcpAuthMetadataRouter({ oauthMetadata: metadata, resourceServerUrl: mcpUrl, scopesSupported: ['mcp:tools'], resourceName: 'oauth-upstream' }));
  verify = requireBearerAuth({ verifier: provider, requiredScopes: [], resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpUrl) });
}

// --- the MCP server

function server() {
  const s = new McpServer({ name: 'oauth-upstream', version: '1.0.0' });
  s.registerTool('whoami', { description: 'Says which client the caller\'s token was issued to', inputSchema: { note: z.string().optional() } },
    async ({ note }, extra) => {
      stats.calls.push({ tool: 'whoami', note });
      return { content: [{ type: 'text', text: `client ${extra.authInfo?.clientId ?? 'api-key'} says ${note ?? 'hello'}` }] };
    });
  s.registerPrompt('greeting', { description: 'A greeting naming the caller\'s client' }, async (extra) => {
    stats.calls.push({ prompt: 'greeting' });
    return { messages: [{ role: 'user', content: { type: 'text', text: `greeting for client ${extra.authInfo?.clientId ?? 'api-key'}` } }] };
  });
  // one URI per upstream (by its port), so a read is routed to exactly this server
  s.registerResource('whoami', `whoami://127.0.0.1:${MCP_PORT}`, { mimeType: 'text/plain' }, async (uri, extra) => {
    stats.calls.push({ resource: uri.href });
    return { contents: [{ uri: uri.href, text: `resource read by client ${extra.authInfo?.clientId ?? 'api-key'}` }] };
  });
  return s;
}

const sessions = new Map();
mcpApp.all('/mcp', verify, async (req, res) => {
  const sid = req.headers['mcp-session-id'];
  let transport = sid ? sessions.get(sid) : undefined;
  if (!transport) {
    if (sid || req.method !== 'POST' || !isInitializeRequest(req.body)) {
      res.status(sid ? 404 : 400).json({ jsonrpc: '2.0', error: { code: -32000, message: 'No valid session' }, id: null });
      return;
    }
    transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (id) => sessions.set(id, transport) });
    transport.onclose = () => transport.sessionId && sessions.delete(transport.sessionId);
    await server().connect(transport);
  }
  await transport.handleRequest(req, res, req.body);
});
mcpApp.get('/test/stats', (req, res) => res.json(stats));
mcpApp.listen(MCP_PORT, '127.0.0.1', () => console.log(`MCP server on ${mcpUrl.href}`));
