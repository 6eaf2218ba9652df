// A Lambda function as users ship it: an express app through serverless-http, wrapped with
// xrayLambda, bundled by esbuild into one file. Tracing starts from the environment alone.
import express from 'express';
import serverless from 'serverless-http';
import { xrayTracing } from 'otel-xray/express';
import { xrayLambda } from 'otel-xray/lambda';

const app = express();
app.use(xrayTracing());
app.get('/orders/:id', (req, res) => res.json({ id: req.params.id }));

export const handler = xrayLambda(serverless(app));
