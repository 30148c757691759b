#!/usr/bin/env node
// A scripted person for Gatehouse's sign-in and connection wizard: follows an OAuth authorization
// URL the way a browser would (cookies, redirects, plain HTML forms with their hidden CSRF fields),
// signs in, chooses a gateway, fills in per-server tokens (or, for a server with its own OAuth sign-in
// and no token given, follows Gatehouse to that server's authorization page and back), and approves
// (or denies) the connection. With redirectPrefix set, redirects to other origins are followed.
// No JavaScript is involved, so none is needed.
//
// As a module: completeAuthorization(url, opts) -> {redirect, code, state, error, pages}
// As a program it is a $BROWSER for mcp-remote:  node oauth-browser.mjs URL
//   reads GATEHOUSE_LOGIN_USER, GATEHOUSE_LOGIN_PASSWORD, GATEHOUSE_LOGIN_GATEWAY (a gateway name),
//   GATEHOUSE_LOGIN_TOKENS (JSON {serverName: token}), GATEHOUSE_LOGIN_DECISION (approve|deny),
//   GATEHOUSE_LOGIN_LOG (a file to append a JSON line describing the run), then GETs the final
//   redirect so the client's local callback server receives the code.

const ENTITIES = { '&amp;': '&', '&quot;': '"', '&#39;': "'", '&lt;': '<', '&gt;': '>', '&#x27;': "'", '&#x2F;': '/' };
const decode = (s) => s.replace(/&(amp|quot|#39|lt|gt|#x27|#x2F);/g, (m) => ENTITIES[m] ?? m);

function attr(tag, name) {
  const m = tag.match(new RegExp(`\\s${name}="([^"]*)"`, 'i'));
  return m ? decode(m[1]) : undefined;
}

/** All forms of a page: {id, action, method, fields: {name: value}, radios: {name: [values]}}. */
export function parseForms(html) {
  const forms = [];
  const re = /<form\b([^>]*)>([\s\S]*?)<\/form>/gi;
  let m;
  while ((m = re.exec(html))) {
    const open = `<form ${m[1]}>`;
    const form = { id: attr(open, 'id'), action: attr(open, 'action'), method: (attr(open, 'method') || 'get').toLowerCase(), fields: {}, multi: [], radios: {} };
    const inputs = m[2].match(/<input\b[^>]*>/gi) || [];
    for (const input of inputs) {
      const name = attr(input, 'name');
      if (!name) continue;
      const type = (attr(input, 'type') || 'text').toLowerCase();
      const value = attr(input, 'value') ?? '';
      if (type === 'radio') {
        (form.radios[name] ||= []).push(value);
      } else if (name === 'scope') {
        form.multi.push([name, value]);
      } else {
        form.fields[name] = value;
      }
    }
    forms.push(form);
  }
  return forms;
}

/** Visible text of an element with this id, if any. */
function textById(html, id) {
  const m = html.match(new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)<`, 'i'));
  return m ? decode(m[1]).trim() : undefined;
}

class Browser {
  constructor() {
    this.cookies = new Map();
  }
  cookieHeader(url) {
    return [...this.cookies.values()].join('; ');
  }
  store(res) {
    const set = res.headers.getSetCookie ? res.headers.getSetCookie() : [];
    for (const c of set) {
      const pair = c.split(';')[0];
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq), pair);
    }
  }
  async request(url, { method = 'GET', form } = {}) {
    const headers = { Accept: 'text/html' };
    const cookie = this.cookieHeader(url);
    if (cookie) headers.Cookie = cookie;
    let body;
    if (form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const res = await fetch(url, { method, headers, body, redirect: 'manual' });
    this.store(res);
    return res;
  }
}

/**
 * Walks the authorization URL until Gatehouse redirects to the client's redirect URI (or refuses).
 * opts: {username, password, gateway (name), tokens ({serverName: token}), decision ('approve'|'deny'),
 *        redirectPrefix (stop when a redirect starts with it; default: first redirect off the AS origin)}
 */
export async function completeAuthorization(authorizationUrl, opts = {}) {
  const browser = new Browser();
  const origin = new URL(authorizationUrl).origin;
  const pages = [];
  let url = authorizationUrl;
  let method = 'GET';
  let form;
  for (let hop = 0; hop < 40; hop++) {
    const res = await browser.request(url, { method, form });
    const entry = { method, url: url.replace(/code_challenge=[^&]*/, 'code_challenge=…'), status: res.status };
    pages.push(entry);
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location'), url).toString();
      const leaving = opts.redirectPrefix ? next.startsWith(opts.redirectPrefix) : new URL(next).origin !== origin;
      if (leaving) {
        const u = new URL(next);
        return { redirect: next, code: u.searchParams.get('code'), state: u.searchParams.get('state'),
          error: u.searchParams.get('error'), errorDescription: u.searchParams.get('error_description'), pages };
      }
      url = next;
      method = 'GET';
      form = undefined;
      continue;
    }
    const html = await res.text();
    if (res.status >= 400) {
      entry.body = html.slice(0, 500);
      return { status: res.status, body: html.slice(0, 2000), pages };
    }
    const forms = parseForms(html);
    const byId = Object.fromEntries(forms.filter((f) => f.id).map((f) => [f.id, f]));
    const refused = textById(html, 'refused');
    entry.page = byId.login ? 'login' : byId.choose ? 'choose' : byId.identity ? 'identity' : byId.approve ? 'confirm' : refused ? 'refused' : 'other';
    let chosen;
    let fields;
    if (byId.login) {
      if (opts.loggedIn) return { error: 'login_failed', message: textById(html, 'login-error') || html.match(/class="error"[^>]*>([^<]*)/)?.[1], pages };
      chosen = byId.login;
      fields = { ...chosen.fields, username: opts.username, password: opts.password };
      opts = { ...opts, loggedIn: true };
    } else if (byId.choose) {
      chosen = byId.choose;
      const labels = [...html.matchAll(/value="([^"]*)"[^>]*>\s*<span>([^<]*)<\/span>/g)].map((m) => ({ id: decode(m[1]), name: decode(m[2]) }));
      entry.gateways = labels;
      const pick = opts.gateway ? labels.find((l) => l.name === opts.gateway || l.id === opts.gateway) : labels[0];
      if (!pick) return { error: 'gateway_not_offered', gateways: labels, pages };
      fields = { ...chosen.fields, gatewayId: pick.id };
    } else if (textById(html, 'done')) {
      entry.page = 'done';
      return { done: textById(html, 'done'), pages };
    } else if (byId.identity) {
      chosen = byId.identity;
      const server = html.match(/<h1>Your credential for <span>([^<]*)<\/span>/)?.[1];
      entry.server = server && decode(server);
      const formError = html.match(/<p class="error"[^>]*>([^<]*)</)?.[1];
      if (formError && opts.tokensTried?.includes(entry.server)) {
        // The token just pasted was refused on the form: report it instead of pasting it again.
        return { error: 'refused_on_form', server: entry.server, message: decode(formError), pages };
      }
      opts = { ...opts, tokensTried: [...(opts.tokensTried || []), entry.server] };
      const token = opts.tokens?.[entry.server] ?? opts.tokens?.[chosen.fields.serverId];
      if (token === undefined && byId.upstream) {
        // The server has its own OAuth sign-in: go there (its authorization server sends us back).
        entry.page = 'upstream';
        chosen = byId.upstream;
        fields = chosen.fields;
      } else if (token === undefined) {
        return { error: 'no_token_for_server', server: entry.server, pages };
      } else {
        fields = { ...chosen.fields, token };
      }
    } else if (byId.approve) {
      entry.clientName = html.match(/<dt>Client<\/dt><dd>([^<]*)<\/dd>/)?.[1];
      entry.redirectHost = textById(html, 'redirect-host');
      const deny = forms.find((f) => f.fields.decision === 'deny');
      chosen = opts.decision === 'deny' ? deny : byId.approve;
      fields = chosen.fields;
    } else if (refused) {
      return { refused, pages };
    } else {
      return { error: 'unexpected_page', body: html.slice(0, 2000), pages };
    }
    url = new URL(chosen.action || url, url).toString();
    method = chosen.method === 'post' ? 'POST' : 'GET';
    form = [...Object.entries(fields), ...chosen.multi];
    if (method === 'GET') {
      // A GET form puts its fields in the query string, as a browser does.
      const u = new URL(url);
      u.search = new URLSearchParams(form).toString();
      url = u.toString();
      form = undefined;
    }
  }
  return { error: 'too_many_hops', pages };
}

// --- as a $BROWSER program
const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const url = process.argv[2];
  const log = process.env.GATEHOUSE_LOGIN_LOG;
  const result = await completeAuthorization(url, {
    redirectPrefix: process.env.GATEHOUSE_LOGIN_REDIRECT_PREFIX || undefined,
    username: process.env.GATEHOUSE_LOGIN_USER,
    password: process.env.GATEHOUSE_LOGIN_PASSWORD,
    gateway: process.env.GATEHOUSE_LOGIN_GATEWAY,
    tokens: process.env.GATEHOUSE_LOGIN_TOKENS ? JSON.parse(process.env.GATEHOUSE_LOGIN_TOKENS) : {},
    decision: process.env.GATEHOUSE_LOGIN_DECISION || 'approve',
  }).catch((e) => ({ error: 'exception', message: String(e) }));
  if (result.redirect) {
    // Deliver the code (or error) to the client's callback server, as the browser would.
    try {
      const res = await fetch(result.redirect);
      result.callbackStatus = res.status;
    } catch (e) {
      result.callbackError = String(e);
    }
  }
  if (log) {
    const { appendFileSync } = await import('node:fs');
    appendFileSync(log, JSON.stringify({ url: url.replace(/code_challenge=[^&]*/, 'code_challenge=…'), ...result }) + '\n');
  }
  if (process.env.GATEHOUSE_LOGIN_PRINT) console.log(JSON.stringify(result));
  process.exit(result.redirect || result.done ? 0 : 1);
}
