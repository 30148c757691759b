// Shared helpers for the Gatehouse test peers (sdk-client.mjs, sdk2-client.mjs).
// Plain Node ESM, no build step, no dependencies beyond Node itself.

/**
 * Parses `--name value`, `--name=value` and bare `--flag` options.
 * Repeatable options (listed in `repeatable`) collect into arrays.
 * Everything else lands in `positional`.
 */
export function parseArgs(argv, { flags = [], repeatable = [] } = {}) {
  const opts = { positional: [] };
  for (const r of repeatable) opts[r] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--') || a === '--') {
      opts.positional.push(a);
      continue;
    }
    let name = a.slice(2);
    let value;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    } else if (flags.includes(name)) {
      value = true;
    } else {
      if (i + 1 >= argv.length) throw new UsageError(`option --${name} needs a value`);
      value = argv[++i];
    }
    if (repeatable.includes(name)) opts[name].push(value);
    else opts[name] = value;
  }
  return opts;
}

export class UsageError extends Error {}

/** Headers from repeated `--header "Name: value"` options plus an optional bearer token. */
export function buildHeaders(headerOpts, token) {
  const headers = {};
  for (const h of headerOpts || []) {
    const i = h.indexOf(':');
    if (i <= 0) throw new UsageError(`bad --header "${h}" (want "Name: value")`);
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  if (token) headers['Authorization'] = `Bearer ${token}`;
  return headers;
}

/** Steps from a positional JSON argument, --steps JSON, --steps-file FILE or $PEER_STEPS. */
export async function readSteps(opts) {
  let text = opts.steps ?? opts.positional[0] ?? process.env.PEER_STEPS;
  if (opts['steps-file']) {
    const { readFile } = await import('node:fs/promises');
    text = await readFile(opts['steps-file'], 'utf8');
  }
  if (text === undefined || text === '') return [{ op: 'listTools' }];
  let steps;
  try {
    steps = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`steps are not JSON: ${e.message}`);
  }
  if (!Array.isArray(steps)) throw new UsageError('steps must be a JSON array');
  return steps;
}

/**
 * Builds elicitation content that satisfies a restricted MCP `requestedSchema`
 * (flat object of primitive / enum / multi-select properties). Defaults win; otherwise a
 * value valid for type, format, enum/oneOf, minimum/maximum, minLength, minItems.
 * `overrides` (from --elicit-content) replaces individual fields.
 */
export function fillFromSchema(schema, overrides = {}) {
  const content = {};
  const props = (schema && schema.properties) || {};
  for (const [key, p] of Object.entries(props)) {
    if (Object.prototype.hasOwnProperty.call(overrides, key)) {
      content[key] = overrides[key];
      continue;
    }
    content[key] = valueFor(key, p || {});
  }
  for (const [k, v] of Object.entries(overrides)) if (!(k in content)) content[k] = v;
  return content;
}

function valueFor(key, p) {
  if (p.default !== undefined) return p.default;
  if (Array.isArray(p.enum) && p.enum.length) return p.enum[0];
  if (Array.isArray(p.oneOf) && p.oneOf.length && p.oneOf[0].const !== undefined) return p.oneOf[0].const;
  if (Array.isArray(p.anyOf) && p.anyOf.length && p.anyOf[0].const !== undefined) return p.anyOf[0].const;
  switch (p.type) {
    case 'boolean':
      return true;
    case 'integer': {
      let v = 1;
      if (typeof p.minimum === 'number') v = Math.ceil(p.minimum);
      if (typeof p.maximum === 'number' && v > p.maximum) v = Math.floor(p.maximum);
      return v;
    }
    case 'number': {
      let v = 1;
      if (typeof p.minimum === 'number') v = p.minimum;
      if (typeof p.maximum === 'number' && v > p.maximum) v = p.maximum;
      return v;
    }
    case 'array': {
      const items = p.items || {};
      let first;
      if (Array.isArray(items.enum) && items.enum.length) first = items.enum[0];
      else if (Array.isArray(items.anyOf) && items.anyOf.length) first = items.anyOf[0].const;
      else if (Array.isArray(items.oneOf) && items.oneOf.length) first = items.oneOf[0].const;
      else first = valueFor(key, items);
      const n = Math.max(1, p.minItems || 1);
      return Array.from({ length: n }, () => first);
    }
    case 'string':
    default: {
      switch (p.format) {
        case 'email':
          return 'peer@example.com';
        case 'uri':
          return 'https://example.com/peer';
        case 'date':
          return '2000-01-01';
        case 'date-time':
          return '2000-01-01T00:00:00Z';
      }
      let s = `peer-${key}`;
      if (typeof p.minLength === 'number' && s.length < p.minLength) s = s.padEnd(p.minLength, 'x');
      if (typeof p.maxLength === 'number' && s.length > p.maxLength) s = s.slice(0, p.maxLength);
      return s;
    }
  }
}

/** A JSON-friendly description of any thrown value. */
export function describeError(e) {
  if (e === null || e === undefined) return { message: String(e) };
  const out = { message: e.message ?? String(e) };
  if (e.name && e.name !== 'Error') out.name = e.name;
  if (e.code !== undefined) out.code = e.code;
  if (e.data !== undefined) out.data = e.data;
  return out;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Wraps fetch: records each HTTP exchange and optionally rewrites the initialize protocolVersion. */
export function recordingFetch(httpLog, { initProtocolVersion } = {}) {
  return async (url, init = {}) => {
    let body = init.body;
    let rpc;
    if (typeof body === 'string') {
      try {
        const msg = JSON.parse(body);
        rpc = Array.isArray(msg) ? msg.map((m) => m.method ?? 'response') : msg.method ?? 'response';
        if (initProtocolVersion && !Array.isArray(msg) && msg.method === 'initialize' && msg.params) {
          msg.params.protocolVersion = initProtocolVersion;
          body = JSON.stringify(msg);
        }
      } catch {
        /* not JSON: pass through */
      }
    }
    const method = init.method || 'GET';
    const entry = { method, rpc };
    httpLog.push(entry);
    try {
      const res = await fetch(url, { ...init, body });
      entry.status = res.status;
      const ct = res.headers.get('content-type');
      if (ct) entry.contentType = ct;
      const sid = res.headers.get('mcp-session-id');
      if (sid) entry.sessionId = sid;
      const servedBy = res.headers.get('x-served-by');
      if (servedBy) entry.servedBy = servedBy;
      const wa = res.headers.get('www-authenticate');
      if (wa) entry.wwwAuthenticate = wa;
      return res;
    } catch (e) {
      entry.error = e.message;
      throw e;
    }
  };
}

/** Prints the report as one JSON line and exits with `code` once stdout is flushed. */
export function finish(report, code) {
  process.stdout.write(JSON.stringify(report) + '\n', () => process.exit(code));
}

/**
 * Runs the scenario steps against a connected client and appends one record per step to
 * `report.steps`. `api` smooths over the SDK v1 / v2 differences:
 *   api.callTool(params, requestOptions) -> result
 *   api.rawRequest({method, params}, requestOptions) -> result
 *   api.getRoots() / api.setRoots(roots)
 *   api.extraOp(step) -> result | undefined   (client-specific ops; undefined = unknown)
 * Returns true when every step went as expected (see `expectError`).
 */
export async function runSteps({ client, transport, steps, report, timeout, waiters, api }) {
  const reqOpts = (s, extra = {}) => ({ timeout: s.timeoutMs ?? timeout, ...extra });
  const allPages = async (fn, key) => {
    const items = [];
    let cursor;
    let pages = 0;
    do {
      const r = await fn(cursor ? { cursor } : undefined);
      items.push(...(r[key] || []));
      cursor = r.nextCursor;
      if (++pages > 1000) throw new Error(`${key}: more than 1000 pages`);
    } while (cursor);
    return { [key]: items };
  };

  let allAsExpected = true;
  for (const s of steps) {
    const rec = { op: s.op };
    if (s.label) rec.label = s.label;
    const t0 = performance.now();
    // "retryMs": repeat a failing step until it succeeds or the time is up (an upstream restarting).
    const retryUntil = s.retryMs ? t0 + s.retryMs : 0;
    let attempts = 0;
    for (;;) {
    attempts++;
    try {
      switch (s.op) {
        case 'listTools':
          rec.result = await allPages((p) => client.listTools(p, reqOpts(s)), 'tools');
          break;
        case 'listPrompts':
          rec.result = await allPages((p) => client.listPrompts(p, reqOpts(s)), 'prompts');
          break;
        case 'listResources':
          rec.result = await allPages((p) => client.listResources(p, reqOpts(s)), 'resources');
          break;
        case 'listResourceTemplates':
          rec.result = await allPages((p) => client.listResourceTemplates(p, reqOpts(s)), 'resourceTemplates');
          break;
        case 'callTool': {
          const progress = [];
          const params = { name: s.name, arguments: s.args ?? s.arguments ?? {} };
          if (s.meta) params._meta = s.meta;
          const extra =
            s.progress === false ? {} : { onprogress: (p) => progress.push(p), resetTimeoutOnProgress: true };
          try {
            rec.result = await api.callTool(params, reqOpts(s, extra));
          } finally {
            if (s.progress !== false) rec.progress = progress;
          }
          break;
        }
        case 'getPrompt':
          rec.result = await client.getPrompt({ name: s.name, arguments: s.args ?? s.arguments ?? {} }, reqOpts(s));
          break;
        case 'readResource':
          rec.result = await client.readResource({ uri: s.uri }, reqOpts(s));
          break;
        case 'subscribe':
          rec.result = await client.subscribeResource({ uri: s.uri }, reqOpts(s));
          break;
        case 'unsubscribe':
          rec.result = await client.unsubscribeResource({ uri: s.uri }, reqOpts(s));
          break;
        case 'complete':
          rec.result = await client.complete({ ref: s.ref, argument: s.argument, context: s.context }, reqOpts(s));
          break;
        case 'setLoggingLevel':
          rec.result = await client.setLoggingLevel(s.level ?? 'debug', reqOpts(s));
          break;
        case 'ping':
          rec.result = await client.ping(reqOpts(s));
          break;
        case 'request':
          rec.result = await api.rawRequest({ method: s.method, params: s.params }, reqOpts(s));
          break;
        case 'notify':
          await client.notification({ method: s.method, params: s.params });
          rec.result = {};
          break;
        case 'rootsChanged':
          if (s.roots) api.setRoots(s.roots);
          await client.sendRootsListChanged();
          rec.result = { roots: api.getRoots() };
          break;
        case 'waitNotification': {
          const want = s.count ?? 1;
          const deadline = Date.now() + (s.timeoutMs ?? 5000);
          const count = () => report.notifications.filter((n) => n.method === s.method).length;
          while (count() < want && Date.now() < deadline) {
            await new Promise((r) => {
              waiters.push(r);
              setTimeout(r, Math.max(1, Math.min(100, deadline - Date.now())));
            });
            waiters.length = 0;
          }
          if (count() < want) throw new Error(`timed out waiting for ${want} x ${s.method} (got ${count()})`);
          rec.result = { count: count() };
          break;
        }
        case 'sleep':
          await sleep(s.ms ?? 100);
          rec.result = {};
          break;
        case 'signal': {
          // Lets a test driving this peer from outside know the session reached this step.
          const { writeFile, rename } = await import('node:fs/promises');
          // Its content: the HTTP exchanges so far (which replica served them, when a balancer says).
          // Written beside and renamed into place, so a test that sees the file never reads it half written.
          const partial = `${s.file}.partial`;
          await writeFile(partial, JSON.stringify({ at: Date.now(), httpLog: report.httpLog }));
          await rename(partial, s.file);
          rec.result = { file: s.file };
          break;
        }
        case 'waitFile': {
          // Holds the session open until the driving test says go on (creates the file).
          const { existsSync } = await import('node:fs');
          const deadline = Date.now() + (s.timeoutMs ?? 60000);
          while (!existsSync(s.file)) {
            if (Date.now() > deadline) throw new Error(`timed out waiting for file ${s.file}`);
            await sleep(25);
          }
          rec.result = { file: s.file };
          break;
        }
        case 'terminate':
          await transport.terminateSession();
          rec.result = {};
          break;
        case 'close':
          await client.close();
          rec.result = {};
          break;
        default: {
          const r = api.extraOp ? await api.extraOp(s, reqOpts(s)) : undefined;
          if (r === undefined) throw new UsageError(`unknown op "${s.op}"`);
          rec.result = r;
        }
      }
      rec.ok = true;
      delete rec.error;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      rec.ok = false;
      rec.error = describeError(e);
    }
    if (rec.ok || !retryUntil || performance.now() >= retryUntil) break;
    await sleep(s.retryDelayMs ?? 200);
    }
    if (attempts > 1) rec.attempts = attempts;
    rec.ms = Math.round(performance.now() - t0);
    if (s.expectError) rec.expectError = true;
    if (rec.ok === !!s.expectError) allAsExpected = false;
    report.steps.push(rec);
    if (s.stopOnError && !rec.ok) break;
  }
  return allAsExpected;
}
