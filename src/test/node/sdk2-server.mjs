#!/usr/bin/env node
// A small real upstream built on the TypeScript SDK v2 (@modelcontextprotocol/server 2.4.0):
// serves protocol 2026-07-28 (stateless, input_required) and, through the SDK's stateless legacy
// fallback, the 2025 revisions — both from one server definition (createMcpHandler).
//
// Usage: node sdk2-server.mjs [--port N] [--host H] [--path /mcp] [--require-token TOKEN] [--legacy stateless|reject]
//   env PORT is read when --port is absent; port 0 (the default) picks a free port.
// Once listening it prints one JSON line on stdout: {"url":"http://127.0.0.1:PORT/mcp","port":PORT}
// With --require-token, requests without "Authorization: Bearer TOKEN" get 401.
//
// Tools: echo {message} | add {a, b} | progress {steps=3, ms=100} (progress notifications when the
// caller sent a progressToken) | headers {} (echoes the request's headers, Authorization masked
// to its length) | sample {prompt} (sampling/createMessage via input_required) |
// elicit {message} (form elicitation via input_required) | fail {} (isError result)
// Prompt: greeting {name}. Resource: fixture://static/hello (text/plain "hello from sdk2-server").

import http from 'node:http';
import {
  McpServer,
  createMcpHandler,
  fromJsonSchema,
  inputRequired,
  inputResponse,
} from '@modelcontextprotocol/server';
import { parseArgs } from './peer-common.mjs';

const opts = parseArgs(process.argv.slice(2));
const port = Number(opts.port ?? process.env.PORT ?? 0);
const host = opts.host ?? '127.0.0.1';
const mcpPath = opts.path ?? '/mcp';
const requiredToken = opts['require-token'];

const obj = (properties, required = []) => fromJsonSchema({ type: 'object', properties, required });
const text = (t) => ({ content: [{ type: 'text', text: t }] });

function buildServer(ctx) {
  const server = new McpServer(
    { name: 'gatehouse-sdk2-fixture', version: '1.0.0' },
    { capabilities: { tools: {}, prompts: {}, resources: {}, logging: {} } },
  );

  server.registerTool(
    'echo',
    { description: 'Echoes the message', inputSchema: obj({ message: { type: 'string' } }, ['message']) },
    async ({ message }) => text(`Echo: ${message}`),
  );
  server.registerTool(
    'add',
    { description: 'Adds two numbers', inputSchema: obj({ a: { type: 'number' }, b: { type: 'number' } }, ['a', 'b']) },
    async ({ a, b }) => ({ ...text(String(a + b)), structuredContent: { sum: a + b } }),
  );
  server.registerTool(
    'progress',
    {
      description: 'Sends `steps` progress notifications, `ms` apart',
      inputSchema: obj({ steps: { type: 'integer' }, ms: { type: 'integer' } }),
    },
    async ({ steps = 3, ms = 100 }, c) => {
      const token = c.mcpReq._meta?.progressToken;
      for (let i = 1; i <= steps; i++) {
        await new Promise((r) => setTimeout(r, ms));
        if (token !== undefined) {
          await c.mcpReq.notify({
            method: 'notifications/progress',
            params: { progressToken: token, progress: i, total: steps, message: `step ${i}` },
          });
        }
      }
      return text(`done ${steps} steps`);
    },
  );
  server.registerTool('headers', { description: 'Echoes the HTTP request headers', inputSchema: obj({}) }, async () => {
    const out = {};
    for (const [k, v] of ctx.requestInfo?.headers ?? []) out[k] = k === 'authorization' ? `<${v.length} chars>` : v;
    return { ...text(JSON.stringify(out)), structuredContent: { headers: out } };
  });
  server.registerTool(
    'sample',
    { description: 'Asks the client for an LLM sample', inputSchema: obj({ prompt: { type: 'string' } }, ['prompt']) },
    async ({ prompt }, c) => {
      const r = inputResponse(c.mcpReq.inputResponses, 'llm');
      if (r.kind !== 'sampling') {
        return inputRequired({
          inputRequests: {
            llm: inputRequired.createMessage({
              messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
              maxTokens: 50,
            }),
          },
        });
      }
      const content = r.result.content;
      return text(`sampled: ${Array.isArray(content) ? JSON.stringify(content) : content.text}`);
    },
  );
  server.registerTool(
    'elicit',
    { description: 'Asks the user for a name', inputSchema: obj({ message: { type: 'string' } }) },
    async ({ message }, c) => {
      const r = inputResponse(c.mcpReq.inputResponses, 'who');
      if (r.kind !== 'elicit') {
        return inputRequired({
          inputRequests: {
            who: inputRequired.elicit({
              message: message ?? 'Who are you?',
              requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
            }),
          },
        });
      }
      return text(`elicited: ${r.action} ${JSON.stringify(r.content ?? {})}`);
    },
  );
  server.registerTool('fail', { description: 'Always returns an error result', inputSchema: obj({}) }, async () => ({
    ...text('this tool always fails'),
    isError: true,
  }));

  server.registerPrompt(
    'greeting',
    { description: 'Greets someone', argsSchema: obj({ name: { type: 'string' } }, ['name']) },
    async ({ name }) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Hello, ${name}!` } }] }),
  );
  server.registerResource(
    'hello',
    'fixture://static/hello',
    { mimeType: 'text/plain', description: 'A static text resource' },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'hello from sdk2-server' }] }),
  );
  return server;
}

const handler = createMcpHandler(buildServer, { legacy: opts.legacy ?? 'stateless', onerror: () => {} });

const httpServer = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, `http://${req.headers.host ?? 'localhost'}`);
    if (url.pathname !== mcpPath) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (requiredToken && req.headers.authorization !== `Bearer ${requiredToken}`) {
      res
        .writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="sdk2-server"' })
        .end(JSON.stringify({ error: 'unauthorized' }));
      return;
    }
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (Array.isArray(v)) v.forEach((x) => headers.append(k, x));
      else if (v !== undefined) headers.set(k, v);
    }
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const request = new Request(url, {
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
      signal: abort.signal,
    });
    const response = await handler.fetch(request);
    const outHeaders = {};
    response.headers.forEach((v, k) => (outHeaders[k] = v));
    res.writeHead(response.status, outHeaders);
    if (response.body) {
      for await (const chunk of response.body) res.write(chunk);
    }
    res.end();
  } catch (e) {
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String(e?.message ?? e));
  }
});

httpServer.listen(port, host, () => {
  const p = httpServer.address().port;
  process.stdout.write(JSON.stringify({ url: `http://${host}:${p}${mcpPath}`, port: p }) + '\n');
});

const shutdown = () => {
  handler.close().finally(() => httpServer.close(() => process.exit(0)));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
