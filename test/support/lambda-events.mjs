// Lambda events as AWS documents them (API Gateway REST proxy v1, HTTP API v2, ALB target),
// for GET <path> with the given X-Amzn-Trace-Id. A fresh object each time: adapters mutate events.

export function apiGatewayV1Event(path, traceHeader) {
  const headers = {
    Accept: '*/*',
    Host: 'r3pmxmplak.execute-api.us-east-2.amazonaws.com',
    'User-Agent': 'curl/8.4.0',
    'X-Amzn-Trace-Id': traceHeader,
    'X-Forwarded-For': '205.255.255.176',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
  };
  return {
    resource: '/orders/{id}',
    path,
    httpMethod: 'GET',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { id: path.split('/').pop() },
    stageVariables: null,
    requestContext: {
      resourceId: '2gxmpl',
      resourcePath: '/orders/{id}',
      httpMethod: 'GET',
      extendedRequestId: 'JJbxmplHYosFVYQ=',
      requestTime: '10/Mar/2020:00:03:59 +0000',
      path: `/Prod${path}`,
      accountId: '123456789012',
      protocol: 'HTTP/1.1',
      stage: 'Prod',
      domainPrefix: 'r3pmxmplak',
      requestTimeEpoch: 1583798639428,
      requestId: '77375676-xmpl-4b79-853a-f982474efe18',
      identity: { sourceIp: '205.255.255.176', userAgent: 'curl/8.4.0', accountId: null, caller: null, user: null, userArn: null },
      domainName: 'r3pmxmplak.execute-api.us-east-2.amazonaws.com',
      apiId: 'r3pmxmplak',
    },
    body: null,
    isBase64Encoded: false,
  };
}

export function apiGatewayV2Event(path, traceHeader) {
  return {
    version: '2.0',
    routeKey: 'GET /orders/{id}',
    rawPath: path,
    rawQueryString: '',
    headers: {
      accept: '*/*',
      'content-length': '0',
      host: 'r3pmxmplak.execute-api.us-east-2.amazonaws.com',
      'user-agent': 'curl/8.4.0',
      'x-amzn-trace-id': traceHeader,
      'x-forwarded-for': '205.255.255.176',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'r3pmxmplak',
      domainName: 'r3pmxmplak.execute-api.us-east-2.amazonaws.com',
      domainPrefix: 'r3pmxmplak',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '205.255.255.176', userAgent: 'curl/8.4.0' },
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey: 'GET /orders/{id}',
      stage: '$default',
      time: '10/Mar/2020:05:16:23 +0000',
      timeEpoch: 1583817383220,
    },
    pathParameters: { id: path.split('/').pop() },
    isBase64Encoded: false,
  };
}

export function albEvent(path, traceHeader) {
  return {
    requestContext: {
      elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/lambda-279XGJDqGZ5rsrHC2Fjr/49e9d65c45c6791a' },
    },
    httpMethod: 'GET',
    path,
    queryStringParameters: {},
    headers: {
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,image/apng,*/*;q=0.8',
      'accept-encoding': 'gzip',
      'accept-language': 'en-US,en;q=0.9',
      connection: 'keep-alive',
      host: 'lambda-alb-123578498.us-east-2.elb.amazonaws.com',
      'upgrade-insecure-requests': '1',
      'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/71.0.3578.98 Safari/537.36',
      'x-amzn-trace-id': traceHeader,
      'x-forwarded-for': '72.12.164.125',
      'x-forwarded-port': '80',
      'x-forwarded-proto': 'http',
      'x-imforwards': '20',
    },
    body: '',
    isBase64Encoded: false,
  };
}

/** A Lambda context object as the Node.js runtime passes it. */
export function lambdaContext(remainingMs = 30_000) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'orders-api',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-2:123456789012:function:orders-api',
    memoryLimitInMB: '512',
    awsRequestId: '88a4b3c1-xmpl-4e6c-9d6f-3f1a2b3c4d5e',
    logGroupName: '/aws/lambda/orders-api',
    logStreamName: '2026/11/26/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => remainingMs,
  };
}

/** The environment the Lambda Node.js runtime sets (the X-Ray ones per invocation). */
export const LAMBDA_ENV = {
  AWS_LAMBDA_FUNCTION_NAME: 'orders-api',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/orders-api',
  AWS_LAMBDA_LOG_STREAM_NAME: '2026/11/26/[$LATEST]0123456789abcdef0123456789abcdef',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
  AWS_REGION: 'us-east-2',
  AWS_DEFAULT_REGION: 'us-east-2',
  LAMBDA_TASK_ROOT: '/var/task',
};
