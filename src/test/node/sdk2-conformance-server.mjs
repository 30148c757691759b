#!/usr/bin/env node
// A 2026-07-28 conformance fixture on the TypeScript SDK v2 (@modelcontextprotocol/server 2.4):
// the tools, prompts and resources the conformance suites look for, written the 2026 way
// (input_required results instead of server-to-client requests, per-request _meta). It serves
// ONLY protocol 2026-07-28 (legacy: 'reject'), so a gateway in front of it must bridge every 2025
// client: that is what it is for.
//
// Usage: node sdk2-conformance-server.mjs [--port 0] [--host 127.0.0.1] [--path /mcp] [--legacy reject|stateless]
// Once listening it prints one JSON line: {"url":"http://127.0.0.1:PORT/mcp","port":PORT}
//
// The names and payloads follow the scenarios of @modelcontextprotocol/conformance (0.1.16 for the
// 2025 scenarios, 0.2.0-alpha.12 for 2026-07-28); see src/test/java/gatehouse/fixture for the
// 2025-11-25 twin.

import http from 'node:http';
import {
  McpServer,
  createMcpHandler,
  createRequestStateCodec,
  fromJsonSchema,
  inputRequired,
  inputResponse,
  ResourceTemplate,
} from '@modelcontextprotocol/server';
import { parseArgs } from './peer-common.mjs';

const opts = parseArgs(process.argv.slice(2));
const port = Number(opts.port ?? process.env.PORT ?? 0);
const host = opts.host ?? '127.0.0.1';
const mcpPath = opts.path ?? '/mcp';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const WAV = (() => {
  const rate = 8000;
  const samples = rate / 100;
  const buf = Buffer.alloc(44 + samples * 2);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + samples * 2, 4);
  buf.write('WAVEfmt ', 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) buf.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 8000), 44 + 2 * i);
  return buf.toString('base64');
})();

const codec = createRequestStateCodec({ key: 'gatehouse-sdk2-conformance-fixture-key-0123456789' });
const obj = (properties = {}, required = []) => fromJsonSchema({ type: 'object', properties, required });
const text = (t) => ({ content: [{ type: 'text', text: t }] });
const str = (description) => ({ type: 'string', description });
const schemaOf = (property, type) => ({ type: 'object', properties: { [property]: { type } }, required: [property] });
const ask = (key, message, property, type = 'string') => ({
  [key]: inputRequired.elicit({ message, requestedSchema: schemaOf(property, type) }),
});
const content = (view, field) => (view.kind === 'elicit' ? String(view.content?.[field] ?? '(none)') : '(none)');
const sampled = (view) => {
  if (view.kind !== 'sampling') return '(none)';
  const c = view.result.content;
  return Array.isArray(c) ? JSON.stringify(c) : c.type === 'text' ? c.text : JSON.stringify(c);
};

// test_trigger_tool_change / test_trigger_prompt_change flip these; every instance the factory
// builds registers what is switched on, and subscriptions/listen streams hear about the change.
const dynamic = { tool: false, prompt: false };
let handler;

function buildServer() {
  const server = new McpServer(
    { name: 'gatehouse-sdk2-conformance-fixture', version: '1.0.0' },
    {
      capabilities: {
        tools: { listChanged: true },
        prompts: { listChanged: true },
        resources: { listChanged: true, subscribe: true },
        logging: {},
        completions: {},
      },
      requestState: { verify: codec.verify },
    },
  );
  const clientCaps = () => server.server.getClientCapabilities() ?? {};

  // --- the shared (2025 and 2026) tool scenarios
  server.registerTool('test_simple_text', { description: 'Returns a fixed text', inputSchema: obj() }, async () =>
    text('This is a simple text response for testing.'),
  );
  server.registerTool('test_image_content', { description: 'Returns a 1x1 PNG', inputSchema: obj() }, async () => ({
    content: [{ type: 'image', data: PNG, mimeType: 'image/png' }],
  }));
  server.registerTool('test_audio_content', { description: 'Returns a short WAV tone', inputSchema: obj() }, async () => ({
    content: [{ type: 'audio', data: WAV, mimeType: 'audio/wav' }],
  }));
  server.registerTool('test_embedded_resource', { description: 'Returns an embedded resource', inputSchema: obj() }, async () => ({
    content: [
      {
        type: 'resource',
        resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' },
      },
    ],
  }));
  server.registerTool('test_multiple_content_types', { description: 'Text, image and resource', inputSchema: obj() }, async () => ({
    content: [
      { type: 'text', text: 'Multiple content types test:' },
      { type: 'image', data: PNG, mimeType: 'image/png' },
      {
        type: 'resource',
        resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: '{"test":"data","value":123}' },
      },
    ],
  }));
  server.registerTool('test_tool_with_logging', { description: 'Logs three messages', inputSchema: obj() }, async (_a, ctx) => {
    for (const m of ['Tool execution started', 'Tool processing data', 'Tool execution completed']) {
      await ctx.mcpReq.log('info', m, 'conformance-fixture');
      await new Promise((r) => setTimeout(r, 50));
    }
    return text('Tool with logging executed successfully');
  });
  server.registerTool('test_tool_with_progress', { description: 'Reports progress 0/50/100', inputSchema: obj() }, async (_a, ctx) => {
    const token = ctx.mcpReq._meta?.progressToken;
    for (let step = 0; step <= 2; step++) {
      if (step > 0) await new Promise((r) => setTimeout(r, 50));
      if (token !== undefined) {
        await ctx.mcpReq.notify({
          method: 'notifications/progress',
          params: { progressToken: token, progress: step * 50, total: 100, message: `Completed step ${step} of 2` },
        });
      }
    }
    return text('Tool with progress executed successfully');
  });
  server.registerTool('test_error_handling', { description: 'Always fails', inputSchema: obj() }, async () => ({
    ...text('This tool intentionally returns an error for testing'),
    isError: true,
  }));
  server.registerTool(
    'json_schema_2020_12_tool',
    {
      description: 'Tool with JSON Schema 2020-12 features',
      inputSchema: fromJsonSchema({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        $defs: {
          address: { $anchor: 'addressDef', type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } },
        },
        properties: {
          name: { type: 'string' },
          address: { $ref: '#/$defs/address' },
          contactMethod: { type: 'string', enum: ['phone', 'email'] },
          phone: { type: 'string' },
          email: { type: 'string' },
        },
        allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
        if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
        then: { required: ['phone'] },
        else: { required: ['email'] },
        additionalProperties: false,
      }),
    },
    async (args) => text('Received: ' + JSON.stringify(args ?? {})),
  );

  // --- 2025 scenarios that ask the client mid-call: input_required here, real requests behind a gateway
  server.registerTool(
    'test_sampling',
    { description: "Asks the client's LLM", inputSchema: obj({ prompt: str('The prompt') }, ['prompt']) },
    async ({ prompt }, ctx) => {
      const r = inputResponse(ctx.mcpReq.inputResponses, 'llm');
      if (r.kind === 'missing') {
        return inputRequired({
          inputRequests: {
            llm: inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100 }),
          },
        });
      }
      return text('LLM response: ' + sampled(r));
    },
  );
  server.registerTool(
    'test_elicitation',
    { description: 'Asks for a username and email', inputSchema: obj({ message: str('The message') }, ['message']) },
    async ({ message }, ctx) => {
      const r = inputResponse(ctx.mcpReq.inputResponses, 'user');
      if (r.kind === 'missing') {
        return inputRequired({
          inputRequests: {
            user: inputRequired.elicit({
              message,
              requestedSchema: {
                type: 'object',
                properties: { username: str("User's response"), email: str("User's email address") },
                required: ['username', 'email'],
              },
            }),
          },
        });
      }
      return text(`User response: action=${r.kind === 'elicit' ? r.action : 'unknown'}, content=${JSON.stringify(r.content ?? {})}`);
    },
  );
  const elicitOnce = (name, message, requestedSchema) =>
    server.registerTool(name, { description: message, inputSchema: obj() }, async (_a, ctx) => {
      const r = inputResponse(ctx.mcpReq.inputResponses, 'form');
      if (r.kind === 'missing') {
        return inputRequired({ inputRequests: { form: inputRequired.elicit({ message, requestedSchema }) } });
      }
      return text(`Elicitation completed: action=${r.kind === 'elicit' ? r.action : 'unknown'}, content=${JSON.stringify(r.content ?? {})}`);
    });
  elicitOnce('test_elicitation_sep1034_defaults', 'Please review and update the form fields with defaults', {
    type: 'object',
    properties: {
      name: { type: 'string', description: 'User name', default: 'John Doe' },
      age: { type: 'integer', description: 'User age', default: 30 },
      score: { type: 'number', description: 'User score', default: 95.5 },
      status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
      verified: { type: 'boolean', description: 'Verification status', default: true },
    },
  });
  elicitOnce('test_elicitation_sep1330_enums', 'Please select options from the enum fields', {
    type: 'object',
    properties: {
      untitledSingle: { type: 'string', description: 'Untitled single-select', enum: ['option1', 'option2', 'option3'] },
      titledSingle: {
        type: 'string',
        description: 'Titled single-select',
        oneOf: [
          { const: 'value1', title: 'First Option' },
          { const: 'value2', title: 'Second Option' },
          { const: 'value3', title: 'Third Option' },
        ],
      },
      legacyEnum: {
        type: 'string',
        description: 'Legacy titled enum',
        enum: ['opt1', 'opt2', 'opt3'],
        enumNames: ['Option One', 'Option Two', 'Option Three'],
      },
      untitledMulti: {
        type: 'array',
        description: 'Untitled multi-select',
        items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
      },
      titledMulti: {
        type: 'array',
        description: 'Titled multi-select',
        items: {
          anyOf: [
            { const: 'value1', title: 'First Choice' },
            { const: 'value2', title: 'Second Choice' },
            { const: 'value3', title: 'Third Choice' },
          ],
        },
      },
    },
  });

  // --- 2026-07-28 scenarios (input-required-result-*, server-stateless)
  server.registerTool('test_input_required_result_elicitation', { description: 'Asks a name', inputSchema: obj() }, async (_a, ctx) => {
    const r = inputResponse(ctx.mcpReq.inputResponses, 'user_name');
    if (r.kind === 'missing') return inputRequired({ inputRequests: ask('user_name', 'What is your name?', 'name') });
    return text(`Hello, ${content(r, 'name')}!`);
  });
  server.registerTool('test_input_required_result_sampling', { description: 'Asks the LLM', inputSchema: obj() }, async (_a, ctx) => {
    const r = inputResponse(ctx.mcpReq.inputResponses, 'capital_question');
    if (r.kind === 'missing') {
      return inputRequired({
        inputRequests: {
          capital_question: inputRequired.createMessage({
            messages: [{ role: 'user', content: { type: 'text', text: 'What is the capital of France?' } }],
            maxTokens: 100,
          }),
        },
      });
    }
    return text('The LLM said: ' + sampled(r));
  });
  server.registerTool('test_input_required_result_list_roots', { description: 'Lists roots', inputSchema: obj() }, async (_a, ctx) => {
    const r = inputResponse(ctx.mcpReq.inputResponses, 'client_roots');
    if (r.kind !== 'roots') return inputRequired({ inputRequests: { client_roots: inputRequired.listRoots() } });
    return text('Roots: ' + r.roots.map((root) => root.uri).join(', '));
  });
  const confirmWithState = (name) =>
    server.registerTool(name, { description: 'Asks for confirmation, with requestState', inputSchema: obj() }, async (_a, ctx) => {
      const state = ctx.mcpReq.requestState();
      const r = inputResponse(ctx.mcpReq.inputResponses, 'confirm');
      if (state === undefined || r.kind === 'missing') {
        return inputRequired({
          inputRequests: ask('confirm', 'Please confirm', 'ok', 'boolean'),
          requestState: await codec.mint({ tool: name }),
        });
      }
      return text(`state-ok: ${state.tool} ${content(r, 'ok')}`);
    });
  confirmWithState('test_input_required_result_request_state');
  confirmWithState('test_input_required_result_tampered_state');
  server.registerTool('test_input_required_result_multiple_inputs', { description: 'Asks three things', inputSchema: obj() }, async (_a, ctx) => {
    const responses = ctx.mcpReq.inputResponses;
    const keys = ['user_name', 'greeting', 'client_roots'];
    if (keys.some((k) => inputResponse(responses, k).kind === 'missing')) {
      return inputRequired({
        inputRequests: {
          ...ask('user_name', 'What is your name?', 'name'),
          greeting: inputRequired.createMessage({
            messages: [{ role: 'user', content: { type: 'text', text: 'Generate a greeting' } }],
            maxTokens: 50,
          }),
          client_roots: inputRequired.listRoots(),
        },
        requestState: await codec.mint({ round: 1 }),
      });
    }
    return text(`${content(inputResponse(responses, 'user_name'), 'name')} / ${sampled(inputResponse(responses, 'greeting'))}`);
  });
  server.registerTool('test_input_required_result_multi_round', { description: 'Asks twice', inputSchema: obj() }, async (_a, ctx) => {
    const state = ctx.mcpReq.requestState();
    const responses = ctx.mcpReq.inputResponses;
    if (state === undefined) {
      return inputRequired({ inputRequests: ask('step1', 'Step 1: What is your name?', 'name'), requestState: await codec.mint({ round: 1 }) });
    }
    if (state.round === 1) {
      const name = content(inputResponse(responses, 'step1'), 'name');
      return inputRequired({
        inputRequests: ask('step2', 'Step 2: What is your favorite color?', 'color'),
        requestState: await codec.mint({ round: 2, name }),
      });
    }
    return text(`${state.name} likes ${content(inputResponse(responses, 'step2'), 'color')}`);
  });
  server.registerTool('test_input_required_result_capabilities', { description: 'Asks what it may', inputSchema: obj() }, async (_a, ctx) => {
    const caps = clientCaps();
    const responses = ctx.mcpReq.inputResponses;
    const requests = {};
    if (caps.sampling && inputResponse(responses, 'llm').kind === 'missing') {
      requests.llm = inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'Say hello' } }], maxTokens: 20 });
    }
    if (caps.elicitation && inputResponse(responses, 'who').kind === 'missing') Object.assign(requests, ask('who', 'Your name?', 'name'));
    if (Object.keys(requests).length > 0) return inputRequired({ inputRequests: requests });
    return text('asked only for what the client declared');
  });
  server.registerTool('test_missing_capability', { description: 'Needs sampling', inputSchema: obj() }, async (_a, ctx) => {
    const r = inputResponse(ctx.mcpReq.inputResponses, 'llm');
    if (r.kind === 'missing') {
      // The SDK refuses this with -32021 when the request did not declare sampling.
      return inputRequired({
        inputRequests: {
          llm: inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'Say something' } }], maxTokens: 20 }),
        },
      });
    }
    return text('The LLM said: ' + sampled(r));
  });
  server.registerTool('test_streaming_elicitation', { description: 'Asks mid-call', inputSchema: obj() }, async (_a, ctx) => {
    const r = inputResponse(ctx.mcpReq.inputResponses, 'note');
    if (r.kind === 'missing') return inputRequired({ inputRequests: ask('note', 'Anything to add?', 'note') });
    return text('Elicitation ' + (r.kind === 'elicit' ? r.action : 'unknown'));
  });
  server.registerTool('test_logging_tool', { description: 'Logs three messages', inputSchema: obj() }, async (_a, ctx) => {
    for (const m of ['started', 'working', 'done']) await ctx.mcpReq.log('info', m, 'sdk2-fixture');
    return text('Logged three messages');
  });
  server.registerTool('test_trigger_tool_change', { description: 'Adds or removes test_dynamic_tool', inputSchema: obj() }, async () => {
    dynamic.tool = !dynamic.tool;
    handler.notify.toolsChanged();
    return text('tool list changed');
  });
  server.registerTool('test_trigger_prompt_change', { description: 'Adds or removes test_dynamic_prompt', inputSchema: obj() }, async () => {
    dynamic.prompt = !dynamic.prompt;
    handler.notify.promptsChanged();
    return text('prompt list changed');
  });
  server.registerTool(
    'test_header_param',
    {
      description: 'Echoes parameters that 2026-07-28 clients also send as Mcp-Param headers',
      inputSchema: fromJsonSchema({
        type: 'object',
        properties: {
          region: { type: 'string', 'x-mcp-header': 'Region' },
          priority: { type: 'integer', 'x-mcp-header': 'Priority' },
        },
        required: ['region'],
      }),
    },
    async ({ region, priority }) => text(`region=${region}, priority=${priority}`),
  );
  if (dynamic.tool) {
    server.registerTool('test_dynamic_tool', { description: 'Appears and disappears', inputSchema: obj() }, async () => text('dynamic'));
  }

  // --- prompts
  server.registerPrompt('test_simple_prompt', { description: 'A simple prompt' }, async () => ({
    messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }],
  }));
  server.registerPrompt(
    'test_prompt_with_arguments',
    { description: 'A prompt with two required arguments', argsSchema: obj({ arg1: str('First test argument'), arg2: str('Second test argument') }, ['arg1', 'arg2']) },
    async ({ arg1, arg2 }) => ({
      messages: [{ role: 'user', content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` } }],
    }),
  );
  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    { description: 'A prompt that embeds a resource', argsSchema: obj({ resourceUri: str('URI of the resource to embed') }, ['resourceUri']) },
    async ({ resourceUri }) => ({
      messages: [
        { role: 'user', content: { type: 'resource', resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' } } },
        { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
      ],
    }),
  );
  server.registerPrompt('test_prompt_with_image', { description: 'A prompt with an image' }, async () => ({
    messages: [
      { role: 'user', content: { type: 'image', data: PNG, mimeType: 'image/png' } },
      { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
    ],
  }));
  server.registerPrompt('test_input_required_result_prompt', { description: 'Asks for context first' }, async (ctx) => {
    const r = inputResponse(ctx.mcpReq.inputResponses, 'user_context');
    if (r.kind === 'missing') {
      return inputRequired({ inputRequests: ask('user_context', 'What context should the prompt use?', 'context') });
    }
    return { messages: [{ role: 'user', content: { type: 'text', text: 'Context: ' + content(r, 'context') } }] };
  });
  if (dynamic.prompt) {
    server.registerPrompt('test_dynamic_prompt', { description: 'Appears and disappears' }, async () => ({
      messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }],
    }));
  }

  // --- resources
  server.registerResource('static-text', 'test://static-text', { mimeType: 'text/plain', description: 'A static text resource' }, async (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'This is the content of the static text resource.' }],
  }));
  server.registerResource('static-binary', 'test://static-binary', { mimeType: 'image/png', description: 'A static binary resource' }, async (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'image/png', blob: PNG }],
  }));
  server.registerResource('watched-resource', 'test://watched-resource', { mimeType: 'text/plain', description: 'A resource to subscribe to' }, async (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'Watched resource content' }],
  }));
  server.registerResource(
    'template-data',
    new ResourceTemplate('test://template/{id}/data', {
      list: undefined,
      // Completing the template's variable is also what installs the SDK's completion/complete handler.
      complete: { id: (value) => ['1', '2', '3', '123'].filter((v) => v.startsWith(value ?? '')) },
    }),
    { mimeType: 'application/json', description: 'JSON data for the id in the URI' },
    async (uri, { id }) => ({
      contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }) }],
    }),
  );
  return server;
}

handler = createMcpHandler(buildServer, { legacy: opts.legacy ?? 'reject', onerror: () => {} });

const httpServer = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, `http://${req.headers.host ?? 'localhost'}`);
    if (url.pathname !== mcpPath) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (Array.isArray(v)) v.forEach((x) => headers.append(k, x));
      else if (v !== undefined) headers.set(k, v);
    }
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const response = await handler.fetch(
      new Request(url, {
        method: req.method,
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' || chunks.length === 0 ? undefined : Buffer.concat(chunks),
        signal: abort.signal,
      }),
    );
    const out = {};
    response.headers.forEach((v, k) => (out[k] = v));
    res.writeHead(response.status, out);
    if (response.body) for await (const chunk of response.body) res.write(chunk);
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
