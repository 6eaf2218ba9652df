// The same app on OpenTelemetry: only the two require lines at the top changed.
//   node examples/migration/after.cjs   (still to the X-Ray daemon; OTEL_TRACES_EXPORTER=otlp for a collector)
const AWSXRay = require('otel-xray/aws-xray-sdk');
const xrayExpress = AWSXRay.express; // with the `aws-xray-sdk` package this line was already AWSXRay.express
const express = require('express');

AWSXRay.middleware.disableCentralizedSampling();
// Every request, for the example (the default keeps 1 a second and 5% of the rest).
AWSXRay.middleware.setSamplingRules({ version: 2, rules: [], default: { fixed_target: 1, rate: 1 } });

const app = express();
app.use(xrayExpress.openSegment('orders'));

/** Stands in for a database call. */
const loadOrder = (id) => new Promise((resolve) => setTimeout(() => resolve({ id, item: 'tea' }), 5));

app.get('/orders/:id', async (req, res) => {
  const segment = AWSXRay.getSegment();
  segment.addAnnotation('order_id', req.params.id);
  segment.setUser('alice');
  const order = await AWSXRay.captureAsyncFunc('load-order', async (subsegment) => {
    const found = await loadOrder(req.params.id);
    subsegment.addMetadata('order', found);
    subsegment.close();
    return found;
  });
  res.json(order);
});

app.get('/fail', () => {
  throw new Error('the order store is down');
});

app.use(xrayExpress.closeSegment());

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
