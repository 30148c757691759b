// Node `--import` preload for the MCP conformance suite, which has no option for an Authorization
// header: wraps globalThis.fetch so every request carries `Authorization: Bearer $GATEHOUSE_TOKEN`.
//
//   GATEHOUSE_TOKEN=... node --import ./auth-preload.mjs .../conformance/dist/index.js server --url URL
//
// The suite's SDK clients call the global fetch, so this covers every scenario except
// dns-rebinding-protection, which sends its requests through undici.request (ConformanceE2ETest
// checks Gatehouse's Origin defence itself). A request that already names an Authorization header
// keeps its own.
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
