// A real OpenID provider for the tests: the certified `oidc-provider` package, with the test
// people below and a plain sign-in page of its own, so the tracker's single sign-on is tried
// against the protocol as a real provider speaks it (discovery, PKCE, signed ID tokens, JWKS,
// RP-initiated logout), never against a mock.
//
// Usage: node tests/oidc/provider.mjs <port> <settings.json>
//   settings: {"clients": [{"client_id", "client_secret", "redirect_uris": [...],
//               "post_logout_redirect_uris": [...]}]}
// Prints "ready <issuer>" on standard output once it listens.
import http from "node:http";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import Provider from "oidc-provider";

const port = Number(process.argv[2]);
const settings = JSON.parse(readFileSync(process.argv[3], "utf8"));
const issuer = `http://127.0.0.1:${port}`;

// Every test person signs in with this password at the provider.
const PASSWORD = "provider-test-password";
const PEOPLE = {
  ada: { name: "Ada Verified", email: "ada@westshire.example", email_verified: true,
         organisation: "Westshire Council", groups: ["staff"] },
  ben: { name: "Ben Unverified", email: "ben@westshire.example", email_verified: false,
         organisation: "Westshire Council", groups: ["staff"] },
  pia: { name: "Pia Portfolio", email: "pia@westshire.example", email_verified: true,
         organisation: "Westshire Council", groups: ["staff", "tracker-pmo"] },
  dan: { name: "Dan Disabled", email: "dan@westshire.example", email_verified: true,
         organisation: "Westshire Council", groups: ["staff"], disabled: true },
  una: { name: "Una Unknown", email: "una@westshire.example", email_verified: true,
         organisation: "Westshire Council", groups: ["tracker-superuser"] },
  nho: { name: "Nia Health", email: "nia@nhs.example", email_verified: true,
         organisation: "Westshire NHS Trust", groups: ["staff"] },
};

function signingKey() {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { ...privateKey.export({ format: "jwk" }), kid: randomUUID(), use: "sig", alg: "RS256" };
}

const provider = new Provider(issuer, {
  clients: settings.clients.map((client) => ({
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
    ...client,
  })),
  jwks: { keys: [signingKey()] },
  cookies: { keys: [randomUUID()] },
  pkce: { required: () => true },
  // The claims a scope releases go into the ID token too, as Entra ID and Google do.
  conformIdTokenClaims: false,
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "organisation"],
    groups: ["groups"],
  },
  scopes: ["openid", "email", "profile", "groups"],
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, id) {
    const person = PEOPLE[id];
    if (!person) return undefined;
    return {
      accountId: id,
      async claims() {
        const { disabled: _disabled, ...claims } = person;
        return { sub: id, ...claims };
      },
    };
  },
});

const page = (uid, message = "") => `<!doctype html><html lang="en"><head><title>Test provider sign-in</title></head>
<body><main><h1>Test provider</h1>${message ? `<p role="alert">${message}</p>` : ""}
<form method="post" action="/interaction/${uid}">
<label for="login">Username</label> <input id="login" name="login" autocomplete="username">
<label for="password">Password</label> <input id="password" name="password" type="password">
<button type="submit">Continue</button></form></main></body></html>`;

async function readForm(req) {
  let body = "";
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === "GET") {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(page(uid));
    return;
  }
  const form = await readForm(req);
  const person = PEOPLE[form.login];
  if (!person || form.password !== PASSWORD) {
    res.writeHead(400, { "content-type": "text/html; charset=utf-8" });
    res.end(page(uid, "Username or password is not correct"));
    return;
  }
  if (person.disabled) {
    // What a provider does for an account switched off there: the sign-in ends with an error.
    await provider.interactionFinished(req, res, {
      error: "access_denied",
      error_description: "This account is disabled",
    }, { mergeWithLastSubmission: false });
    return;
  }
  // A first-party client: consent is given with the sign-in.
  const grant = new provider.Grant({ accountId: form.login, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, {
    login: { accountId: form.login },
    consent: { grantId },
  }, { mergeWithLastSubmission: false });
}

const handler = provider.callback();
const server = http.createServer((req, res) => {
  const match = req.url.match(/^\/interaction\/([\w-]+)$/);
  if (match) {
    interaction(req, res, match[1]).catch((error) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
    });
    return;
  }
  handler(req, res);
});
server.listen(port, "127.0.0.1", () => {
  process.stdout.write(`ready ${issuer}\n`);
});
process.on("SIGTERM", () => process.exit(0));
