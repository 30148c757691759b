// Node `--import` preload for the MCP conformance suite, which has no option for an Authorization
// header: wraps globalThis.fetch so every request carries `Authorization: Bearer $GATEHOUSE_TOKEN`.
//
//   GATEHOUSE_TOKEN=... node --import ./auth-preload.mjs .../conformance/dist/index.js server --url URL
//
// The suite's SDK clients call the global fetch, so this covers every scenario except
// dns-rebinding-protection, which sends its requests through undici.request (ConformanceE2ETest
// checks Gatehouse's Origin defence itself). A request that already names an Authorization header
// keeps its own. The pre-release suite (0.2.0-alpha) sends the http-header-validation requests
// through node:http's request(), which is wrapped the same way below.
import http from 'node:http';

const token = process.env.GATEHOUSE_TOKEN;
if (!token) {
  throw new Error('auth-preload.mjs: GATEHOUSE_TOKEN is not set');
}

const originalFetch = globalThis.fetch;

globalThis.fetch = function fetchWithBearer(input, init = {}) {
  const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
  if (!headers.has('authorization')) {
    headers.set('authorization', `Bearer ${token}`);
  }
  return originalFetch(input, { ...init, headers });
};

const originalRequest = http.request;

http.request = function requestWithBearer(...args) {
  // Only the (options[, callback]) form the suite uses; every other form passes through unchanged.
  const [options] = args;
  if (options && typeof options === 'object' && !(options instanceof URL)) {
    const headers = { ...(options.headers ?? {}) };
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) {
      headers.authorization = `Bearer ${token}`;
    }
    args[0] = { ...options, headers };
  }
  return originalRequest.apply(this, args);
};
