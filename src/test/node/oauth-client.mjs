#!/usr/bin/env node
// The TypeScript SDK v1's own OAuth client (discovery via the 401's resource_metadata, RFC 8414
// metadata, dynamic client registration, PKCE S256, RFC 8707 resource) connecting to Gatehouse,
// with oauth-browser.mjs playing the person who signs in and approves. Java end-to-end tests spawn it.
//
// Usage:
//   node oauth-client.mjs --url URL --username U --password P [--gateway NAME] [--tokens JSON]
//        [--decision approve|deny] [--client-name NAME] [--refresh] [--reveal-token] [STEPS_JSON]
// --tokens: {"serverName": "token"} for the wizard's per-server credential forms.
// --refresh: after the steps, refresh through the SDK (rotating refresh token), reconnect with the
//   new access token and list tools, then try the used refresh token again (it must be refused).
// Output: one JSON line {ok, clientId, authorization, tokenClaims, steps, refresh?, httpLog, connectError?}.
// Exit code: 0 all as expected, 1 a step was not, 2 no connection.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError, auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { ResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { parseArgs, readSteps, describeError, recordingFetch, finish, runSteps } from './peer-common.mjs';
import { completeAuthorization } from './oauth-browser.mjs';

const opts = parseArgs(process.argv.slice(2), { flags: ['refresh', 'reveal-token'] });
const report = { ok: false, peer: 'sdk-oauth-client', steps: [], httpLog: [], notifications: [], serverRequests: [] };
const REDIRECT = 'http://127.0.0.1:9/callback'; // never contacted: the scripted browser stops at the redirect

class MemoryProvider {
  constructor() {
    this.saved = {};
    this.authorizationUrl = undefined;
  }
  get redirectUrl() {
    return REDIRECT;
  }
  get clientMetadata() {
    return {
      client_name: opts['client-name'] || 'gatehouse-sdk-oauth-peer',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.saved.client;
  }
  saveClientInformation(info) {
    this.saved.client = info;
  }
  tokens() {
    return this.saved.tokens;
  }
  saveTokens(tokens) {
    this.saved.tokens = tokens;
  }
  redirectToAuthorization(url) {
    this.authorizationUrl = url.toString();
  }
  saveCodeVerifier(v) {
    this.saved.verifier = v;
  }
  codeVerifier() {
    return this.saved.verifier;
  }
}

function claims(jwt) {
  try {
    return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

async function connect(url, provider) {
  const client = new Client({ name: 'gatehouse-sdk-oauth-peer', version: '1.0.0' }, { capabilities: {} });
  const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider, fetch: recordingFetch(report.httpLog) });
  await client.connect(transport);
  return { client, transport };
}

async function main() {
  const url = opts.url;
  const steps = await readSteps(opts);
  const provider = new MemoryProvider();
  let conn;
  try {
    conn = await connect(url, provider);
  } catch (e) {
    if (!(e instanceof UnauthorizedError) || !provider.authorizationUrl) {
      report.connectError = describeError(e);
      return finish(report, 2);
    }
    const result = await completeAuthorization(provider.authorizationUrl, {
      username: opts.username,
      password: opts.password,
      gateway: opts.gateway,
      tokens: opts.tokens ? JSON.parse(opts.tokens) : {},
      decision: opts.decision || 'approve',
      redirectPrefix: REDIRECT,
    });
    report.authorization = result;
    report.clientId = provider.saved.client?.client_id;
    if (!result.code) {
      report.connectError = { message: `authorization did not return a code: ${result.error || result.refused || result.status}` };
      return finish(report, 2);
    }
    try {
      await conn?.transport?.close?.();
      const t = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider, fetch: recordingFetch(report.httpLog) });
      await t.finishAuth(result.code);
      conn = await connect(url, provider);
    } catch (e2) {
      report.connectError = describeError(e2);
      return finish(report, 2);
    }
  }
  report.clientId = provider.saved.client?.client_id;
  report.tokenClaims = claims(provider.saved.tokens?.access_token ?? '');
  report.hasRefreshToken = !!provider.saved.tokens?.refresh_token;
  if (opts['reveal-token']) report.accessToken = provider.saved.tokens?.access_token; // for later calls by other peers
  report.serverInfo = conn.client.getServerVersion() ?? null;
  const { client, transport } = conn;
  const allAsExpected = await runSteps({
    client, transport, steps, report, timeout: 60000, waiters: [],
    api: {
      callTool: (params, o) => client.callTool(params, undefined, o),
      rawRequest: (req, o) => client.request(req, ResultSchema, o),
      getRoots: () => [],
      setRoots: () => {},
    },
  });
  try {
    await client.close();
  } catch {}
  let refreshOk = true;
  if (opts.refresh) {
    const before = provider.saved.tokens;
    const r = (report.refresh = {});
    try {
      r.result = await auth(provider, { serverUrl: new URL(url) });
      const after = provider.saved.tokens;
      r.accessTokenChanged = after.access_token !== before.access_token;
      r.refreshTokenRotated = !!after.refresh_token && after.refresh_token !== before.refresh_token;
      r.claims = claims(after.access_token);
      const again = await connect(url, provider);
      r.tools = (await again.client.listTools()).tools.map((t) => t.name);
      await again.client.close();
      // The used refresh token must not work a second time (rotation).
      const meta = await (await fetch(new URL('/.well-known/oauth-authorization-server', url))).json();
      const reuse = await fetch(meta.token_endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: before.refresh_token, client_id: provider.saved.client.client_id }),
      });
      r.reuseStatus = reuse.status;
      r.reuseBody = await reuse.json().catch(() => null);
      refreshOk = r.result === 'AUTHORIZED' && r.accessTokenChanged && r.refreshTokenRotated && r.reuseStatus === 400;
    } catch (e) {
      r.error = describeError(e);
      refreshOk = false;
    }
  }
  report.ok = allAsExpected && refreshOk;
  finish(report, report.ok ? 0 : 1);
}

main().catch((e) => {
  report.error = describeError(e);
  finish(report, 2);
});
