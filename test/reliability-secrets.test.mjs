// Nothing secret is recorded: credentials in request and response headers, signed-URL query
// values and user-info in URLs never reach an exported span, through any exporter.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startOtlpReceiver, startUdpReceiver } from './support/reliability-receivers.mjs';
import { get, rawRequest, startApp } from './support/reliability.mjs';

// Every secret carries this marker, so one search finds any of them in any encoding we send.
const SECRETS = [
  'in-secret-authorization',
  'in-secret-proxy-authorization',
  'in-secret-cookie',
  'in-secret-token',
  'in-secret-signature',
  'in-secret-credential',
  'in-secret-query-token',
  'in-secret-userinfo',
  'in-secret-raw-signature',
  'response-secret-set-cookie',
  'outbound-secret-authorization',
  'outbound-secret-cookie',
  'outbound-secret-token',
  'out-secret-userinfo',
  'out-secret-signature',
  'out-secret-credential',
  'downstream-secret-set-cookie',
];
/** Secrets as they could also appear encoded: Basic credentials are base64 of user:password. */
const ENCODED = [Buffer.from('user:in-secret-userinfo').toString('base64'), Buffer.from('user:out-secret-userinfo').toString('base64')];

let downstream;
let otlp;
let udp;
before(async () => {
  downstream = http.createServer((req, res) => {
    res.setHeader('set-cookie', 'token=downstream-secret-set-cookie; HttpOnly');
    res.end('ok');
  });
  await new Promise((resolve) => downstream.listen(0, '127.0.0.1', resolve));
  otlp = await startOtlpReceiver();
  udp = await startUdpReceiver();
});
after(async () => {
  await new Promise((resolve) => downstream.close(resolve));
  await otlp.close();
  await udp.close();
});

/** Requests full of secrets: headers, signed query, absolute-form target with user-info, an outbound call. */
async function sendSecrets(app) {
  const headers = {
    authorization: 'Bearer in-secret-authorization',
    'proxy-authorization': 'Basic in-secret-proxy-authorization',
    cookie: 'sid=in-secret-cookie; theme=dark',
    'x-amz-security-token': 'in-secret-token',
  };
  const signed = '/users/7?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=in-secret-credential&X-Amz-Signature=in-secret-signature&X-Amz-Security-Token=in-secret-query-token';
  const answers = [];
  answers.push(await get(`${app.url}${signed}`, { headers }));
  answers.push(await get(`${app.url}/users/8`, { headers }));
  const port = downstream.address().port;
  const to = `http://user:out-secret-userinfo@127.0.0.1:${port}/object?X-Amz-Credential=out-secret-credential&X-Amz-Signature=out-secret-signature`;
  answers.push(await get(`${app.url}/call`, { headers: { ...headers, 'x-call-to': to } }));
  const raw = await rawRequest(
    app.port,
    `GET http://user:in-secret-userinfo@127.0.0.1:${app.port}/users/9?X-Amz-Signature=in-secret-raw-signature HTTP/1.1\r\n` +
      `Host: 127.0.0.1:${app.port}\r\nAuthorization: Basic ${ENCODED[0]}\r\nConnection: close\r\n\r\n`,
  );
  for (const answer of answers) assert.equal(answer.status, 200, answer.body);
  assert.ok(raw.status > 0 && raw.status < 500, `absolute-form request answered ${raw.status}`);
}

function assertNoSecret(text, where) {
  for (const secret of [...SECRETS, ...ENCODED]) assert.ok(!text.includes(secret), `${where} contains "${secret}"`);
  assert.ok(!/secret/i.test(text), `${where} contains something secret: …${text.slice(Math.max(0, text.search(/secret/i) - 80), text.search(/secret/i) + 40)}…`);
}

for (const framework of ['express', 'fastify', 'koa']) {
  describe(`nothing secret is exported (${framework})`, () => {
    it('in-memory exporter', async () => {
      const app = await startApp({ RA_FRAMEWORK: framework, RA_EXPORTER: 'memory' });
      try {
        await sendSecrets(app);
        const { spans } = await app.request({ cmd: 'spans' });
        assert.ok(spans.filter((span) => span.kind === 1).length >= 4, 'the server spans were recorded');
        assert.ok(spans.some((span) => span.kind === 2), 'the outbound call was recorded');
        assert.ok(spans.some((span) => span.attributes['url.path'] === '/users/7'), 'the signed request was recorded');
        assertNoSecret(JSON.stringify(spans), 'an in-memory span');
      } finally {
        await app.stop();
      }
    });

    it('OTLP exporter', async () => {
      otlp.reset();
      const app = await startApp({ RA_FRAMEWORK: framework, RA_EXPORTER: 'otlp', RA_ENDPOINT: otlp.url(`/${framework}/v1/traces`) });
      try {
        await sendSecrets(app);
        await app.request({ cmd: 'flush' });
        assert.ok(otlp.spans.length >= 5, `spans reached the receiver (${otlp.spans.length})`);
        assert.ok(otlp.spans.some((span) => span.attributes['url.path'] === '/users/7'), 'the signed request was exported');
        assertNoSecret(Buffer.concat(otlp.bodies).toString('latin1'), 'an OTLP export');
      } finally {
        await app.stop();
      }
    });

    it('X-Ray daemon exporter', async () => {
      udp.reset();
      const app = await startApp({ RA_FRAMEWORK: framework, RA_EXPORTER: 'xray-daemon', RA_ENDPOINT: udp.address });
      try {
        await sendSecrets(app);
        await app.request({ cmd: 'flush' });
        // Datagrams may trail the flush by a moment on a busy machine.
        for (let i = 0; i < 50 && udp.documents.length < 5; i++) await new Promise((resolve) => setTimeout(resolve, 20));
        assert.ok(udp.documents.length >= 5, `segments reached the socket (${udp.documents.length})`);
        assertNoSecret(udp.raw.join('\n'), 'an X-Ray segment');
      } finally {
        await app.stop();
      }
    });
  });
}
