// A koa app traced with the otel-xray middleware, routes from @koa/router.
//   node examples/koa/app.mjs
import Router from '@koa/router';
import Koa from 'koa';
import { annotate } from 'otel-xray';
import { xrayTracing } from 'otel-xray/koa';

const app = new Koa();
// First in the chain: a server span per request, active in every middleware after it.
app.use(xrayTracing({ ignore: ['/health'] }));

const router = new Router();
router.get('/health', (ctx) => {
  ctx.body = 'ok';
});
router.get('/users/:id', (ctx) => {
  annotate('user_id', ctx.params.id);
  ctx.body = { id: ctx.params.id, name: 'Ana' };
});
router.get('/boom', () => {
  throw new Error('the database is on fire');
});
app.use(router.routes());

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
