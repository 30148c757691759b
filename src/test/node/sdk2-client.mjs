#!/usr/bin/env node
// Independent MCP client peer built on the TypeScript SDK v2 (@modelcontextprotocol/client 2.4.0),
// pinned by default to protocol 2026-07-28 (stateless: server/discover, per-request _meta,
// input_required results answered through the same sampling/elicitation/roots handlers).
//
// Usage:
//   node sdk2-client.mjs --url URL [--token TOKEN] [--header "Name: value"]... [STEPS_JSON]
// Options: the same as sdk-client.mjs (--url, --token, --header, --steps, --steps-file,
// --sample-text, --elicit-action, --elicit-content, --root, --no-sampling, --no-elicitation,
// --no-roots, --timeout, --terminate, --client-name, --stdio), plus
//   --mode pin|legacy|auto    version negotiation (default pin)
//   --pin VERSION             the pinned revision (default 2026-07-28)
// Extra ops: discover (server/discover).
// Output: the JSON report of sdk-client.mjs plus `era` ("modern"/"legacy") and `discover`.
// Exit code: 0 all steps as expected, 1 some step not, 2 no connection / bad arguments.

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
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

// A Standard Schema that accepts anything: lets `request` op send arbitrary methods.
const AnyResult = { '~standard': { version: 1, vendor: 'gatehouse-peer', validate: (value) => ({ value }) } };

const report = {
  ok: false,
  peer: 'sdk2-client',
  sessionId: null,
  protocolVersion: null,
  era: null,
  serverInfo: null,
  serverCapabilities: null,
  instructions: null,
  discover: null,
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

  const modeOpt = opts.mode ?? 'pin';
  let mode;
  if (modeOpt === 'pin') mode = { pin: opts.pin ?? '2026-07-28' };
  else if (modeOpt === 'legacy' || modeOpt === 'auto') mode = modeOpt;
  else throw new UsageError(`--mode must be pin, legacy or auto (got ${modeOpt})`);

  const capabilities = {};
  if (!opts['no-sampling']) capabilities.sampling = {};
  if (!opts['no-elicitation']) capabilities.elicitation = { form: {}, url: {} };
  if (!opts['no-roots']) capabilities.roots = { listChanged: true };

  const client = new Client(
    { name: opts['client-name'] ?? 'gatehouse-sdk2-peer', version: '1.0.0' },
    { capabilities, versionNegotiation: { mode } },
  );

  const waiters = [];
  client.fallbackNotificationHandler = async (n) => {
    report.notifications.push({ method: n.method, params: n.params });
    for (const w of waiters) w();
  };

  if (capabilities.sampling) {
    client.setRequestHandler('sampling/createMessage', async (req) => {
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
    client.setRequestHandler('elicitation/create', async (req) => {
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
    client.setRequestHandler('roots/list', async (req) => {
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

  const fillConnectionInfo = () => {
    report.sessionId = transport.sessionId ?? null;
    try {
      report.protocolVersion = client.getNegotiatedProtocolVersion() ?? transport.protocolVersion ?? null;
      report.era = client.getProtocolEra() ?? null;
      report.serverInfo = client.getServerVersion() ?? null;
      report.serverCapabilities = client.getServerCapabilities() ?? null;
      report.instructions = client.getInstructions() ?? null;
      report.discover = client.getDiscoverResult() ?? null;
    } catch {}
  };

  try {
    await client.connect(transport, { timeout });
  } catch (e) {
    report.connectError = describeError(e);
    fillConnectionInfo();
    try {
      await client.close();
    } catch {}
    return finish(report, 2);
  }
  fillConnectionInfo();

  const allAsExpected = await runSteps({
    client,
    transport,
    steps,
    report,
    timeout,
    waiters,
    api: {
      callTool: (params, o) => client.callTool(params, o),
      rawRequest: (req, o) => client.request(req, AnyResult, o),
      getRoots: () => roots,
      setRoots: (r) => (roots = r),
      extraOp: async (s, o) => {
        if (s.op === 'discover') return await client.discover(o);
        return undefined;
      },
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
