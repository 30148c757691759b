// Node `--import` preload, used with auth-preload.mjs: the conformance suite's
// dns-rebinding-protection scenario sends its requests through undici's request() instead of fetch,
// so this sets undici's global dispatcher (the one the suite's own undici uses) to one that adds
// `Authorization: Bearer $GATEHOUSE_TOKEN` to every request that names none. The scenario then
// checks the gateway itself: another Host/Origin refused (4xx), a localhost one accepted (2xx).
//
//   GATEHOUSE_TOKEN=... node --import ./auth-preload.mjs --import ./undici-auth-preload.mjs \
//       .../conformance/dist/index.js server --url URL
import { createRequire } from 'node:module';

const token = process.env.GATEHOUSE_TOKEN;
if (!token) {
  throw new Error('undici-auth-preload.mjs: GATEHOUSE_TOKEN is not set');
}
// Resolve undici from the script being run (the suite's CLI), so it is the suite's own copy.
const undici = createRequire(process.argv[1])('undici');

const withBearer = (dispatch) => (options, handler) => {
  const headers = options.headers ?? {};
  const names = Array.isArray(headers)
    ? headers.filter((_, i) => i % 2 === 0)
    : Object.keys(headers);
  if (names.some((name) => String(name).toLowerCase() === 'authorization')) {
    return dispatch(options, handler);
  }
  const added = Array.isArray(headers)
    ? [...headers, 'authorization', `Bearer ${token}`]
    : { ...headers, authorization: `Bearer ${token}` };
  return dispatch({ ...options, headers: added }, handler);
};

undici.setGlobalDispatcher(undici.getGlobalDispatcher().compose(withBearer));
