#!/usr/bin/env node
// Independent MCP client peer built on the TypeScript SDK v1 (@modelcontextprotocol/sdk 1.32.2,
// protocol 2025-11-25 by default). Java end-to-end tests spawn it against Gatehouse.
//
// Usage:
//   node sdk-client.mjs --url URL [--token TOKEN] [--header "Name: value"]... [STEPS_JSON]
//   node sdk-client.mjs --stdio '["node","server.js","stdio"]' [STEPS_JSON]
// Options (each also readable from the environment variable in brackets):
//   --url URL                 Streamable HTTP endpoint                     [PEER_URL]
//   --token TOKEN             sends "Authorization: Bearer TOKEN"          [PEER_TOKEN]
//   --header "N: v"           extra request header (repeatable)
//   --stdio JSON_ARRAY        spawn a stdio server instead of --url
//   --steps JSON | --steps-file FILE | first positional arg             [PEER_STEPS]
//   --protocol-version V      ask for V in initialize (e.g. 2025-06-18, 2025-03-26)
//   --sample-text TEXT        assistant text for sampling/createMessage (default "sampled-by-peer")
//   --elicit-action A         accept (default) | decline | cancel
//   --elicit-content JSON     fields that override the values filled from the requested schema
//   --root URI                root answered to roots/list (repeatable; default file:///tmp/gatehouse-peer-root)
//   --no-sampling / --no-elicitation / --no-roots   leave that capability out
//   --open-url                a URL-mode elicitation's page is opened by a scripted browser as GATEHOUSE_LOGIN_USER
//   --timeout MS              per-request timeout (default 60000)
//   --terminate               DELETE the session at the end (transport.terminateSession)
//   --client-name NAME        clientInfo.name (default gatehouse-sdk-peer)
//
// Steps: a JSON array; each element {"op": ..., ...}. Ops:
//   listTools | listPrompts | listResources | listResourceTemplates   (all pages)
//   callTool {name, args, progress=true, timeoutMs, meta}
//   getPrompt {name, args} | readResource {uri} | subscribe {uri} | unsubscribe {uri}
//   complete {ref, argument, context} | setLoggingLevel {level} | ping
//   request {method, params} | notify {method, params}
//   rootsChanged {roots?:[{uri,name}]}  (updates roots, sends notifications/roots/list_changed)
//   waitNotification {method, timeoutMs=5000, count=1}
//   sleep {ms} | terminate | close
//   signal {file} (creates it) | waitFile {file, timeoutMs=60000} (waits until someone creates it)
// Any step may carry "expectError": true (the run then fails if the step succeeds) and "label";
// "retryMs": N repeats a failing step (every retryDelayMs, default 200) until it succeeds or N ms pass.
//
// Output: one JSON object on stdout:
//   {ok, sessionId, protocolVersion, serverInfo, serverCapabilities, instructions,
//    steps:[{op, label?, ok, ms, result | error, progress?:[...]}],
//    serverRequests:[{method, params, answer}], notifications:[{method, params}], httpLog:[...],
//    connectError?}
// Exit code: 0 when every step went as expected, 1 when some step did not, 2 when the
// connection could not be made or the arguments were wrong.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  ResultSchema,
} from '@modelcontextprotocol/sdk/types.js';
import {
  parseArgs,
  buildHeaders,
  readSteps,
  fillFromSchema,
  describeError,
  recordingFetch,
  finish,
  runSteps,
  UsageError,
} from './peer-common.mjs';

const report = {
  ok: false,
  peer: 'sdk-client',
  sessionId: null,
  protocolVersion: null,
  serverInfo: null,
  serverCapabilities: null,
  instructions: null,
  steps: [],
  serverRequests: [],
  notifications: [],
  httpLog: [],
};

async function main() {
  const opts = parseArgs(process.argv.slice(2), {
    flags: ['no-sampling', 'no-elicitation', 'no-roots', 'terminate', 'open-url'],
    repeatable: ['header', 'root'],
  });
  const url = opts.url ?? process.env.PEER_URL;
  const token = opts.token ?? process.env.PEER_TOKEN;
  const steps = await readSteps(opts);
  const timeout = Number(opts.timeout ?? 60000);
  const sampleText = opts['sample-text'] ?? 'sampled-by-peer';
  const elicitAction = opts['elicit-action'] ?? 'accept';
  const elicitOverrides = opts['elicit-content'] ? JSON.parse(opts['elicit-content']) : {};
  let roots = (opts.root.length ? opts.root : ['file:///tmp/gatehouse-peer-root']).map((uri, i) => ({
    uri,
    name: i === 0 ? 'peer-root' : `peer-root-${i + 1}`,
  }));
  if (!url && !opts.stdio) throw new UsageError('need --url URL (or PEER_URL) or --stdio JSON_ARRAY');

  const capabilities = {};
  if (!opts['no-sampling']) capabilities.sampling = {};
  if (!opts['no-elicitation']) capabilities.elicitation = { form: {}, url: {} };
  if (!opts['no-roots']) capabilities.roots = { listChanged: true };

  const client = new Client(
    { name: opts['client-name'] ?? 'gatehouse-sdk-peer', version: '1.0.0' },
    { capabilities },
  );

  // Everything the server sends us without a dedicated handler (logging, list_changed, ...).
  const waiters = [];
  client.fallbackNotificationHandler = async (n) => {
    report.notifications.push({ method: n.method, params: n.params });
    for (const w of waiters) w();
  };

  if (capabilities.sampling) {
    client.setRequestHandler(CreateMessageRequestSchema, async (req) => {
      const answer = {
        role: 'assistant',
        content: { type: 'text', text: sampleText },
        model: 'gatehouse-peer-model',
        stopReason: 'endTurn',
      };
      report.serverRequests.push({ method: req.method, params: req.params, answer });
      return answer;
    });
  }
  if (capabilities.elicitation) {
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      const p = req.params || {};
      let answer;
      if (elicitAction !== 'accept') answer = { action: elicitAction };
      else if (p.mode === 'url') {
        answer = { action: 'accept' };
        if (opts['open-url']) {
          // The person opens the page and signs in while the call waits (a scripted browser, see oauth-browser.mjs).
          const entry = { method: req.method, params: p, answer };
          report.serverRequests.push(entry);
          browsing.push(openUrl(p.url).then((r) => { entry.browser = r; }, (e) => { entry.browser = { error: String(e) }; }));
          return answer;
        }
      }
      else answer = { action: 'accept', content: fillFromSchema(p.requestedSchema, elicitOverrides) };
      report.serverRequests.push({ method: req.method, params: p, answer });
      return answer;
    });
  }
  if (capabilities.roots) {
    client.setRequestHandler(ListRootsRequestSchema, async (req) => {
      const answer = { roots };
      report.serverRequests.push({ method: req.method, params: req.params, answer });
      return answer;
    });
  }

  let transport;
  if (opts.stdio) {
    const cmd = JSON.parse(opts.stdio);
    transport = new StdioClientTransport({ command: cmd[0], args: cmd.slice(1), stderr: 'ignore' });
  } else {
    transport = new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: buildHeaders(opts.header, token) },
      fetch: recordingFetch(report.httpLog, { initProtocolVersion: opts['protocol-version'] }),
    });
  }

  try {
    await client.connect(transport, { timeout });
  } catch (e) {
    report.connectError = describeError(e);
    report.sessionId = transport.sessionId ?? null;
    try {
      await client.close();
    } catch {}
    return finish(report, 2);
  }
  report.sessionId = transport.sessionId ?? null;
  report.protocolVersion = transport.protocolVersion ?? null;
  report.serverInfo = client.getServerVersion() ?? null;
  report.serverCapabilities = client.getServerCapabilities() ?? null;
  report.instructions = client.getInstructions() ?? null;

  const allAsExpected = await runSteps({
    client,
    transport,
    steps,
    report,
    timeout,
    waiters,
    api: {
      callTool: (params, o) => client.callTool(params, undefined, o),
      rawRequest: (req, o) => client.request(req, ResultSchema, o),
      getRoots: () => roots,
      setRoots: (r) => (roots = r),
    },
  });

  if (opts.terminate) {
    try {
      await transport.terminateSession();
    } catch (e) {
      report.terminateError = describeError(e);
    }
  }
  try {
    await client.close();
  } catch {}
  await Promise.allSettled(browsing); // the scripted browser may still be reading the page when the call completes
  report.ok = allAsExpected;
  finish(report, allAsExpected ? 0 : 1);
}

/** Pages opened by the scripted browser (--open-url), awaited before the report is printed. */
const browsing = [];

main().catch((e) => {
  report.error = describeError(e);
  finish(report, 2);
});

/** Opens a URL-mode elicitation's page as the person in GATEHOUSE_LOGIN_USER/PASSWORD (--open-url). */
async function openUrl(url) {
  const { completeAuthorization } = await import('./oauth-browser.mjs');
  return completeAuthorization(url, {
    username: process.env.GATEHOUSE_LOGIN_USER,
    password: process.env.GATEHOUSE_LOGIN_PASSWORD,
    tokens: process.env.GATEHOUSE_LOGIN_TOKENS ? JSON.parse(process.env.GATEHOUSE_LOGIN_TOKENS) : {},
    redirectPrefix: 'never:',
  });
}
