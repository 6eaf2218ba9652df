// Local stand-ins for the AWS metadata endpoints the resource detectors call, on 127.0.0.1.
// `routeLinkLocalTo` sends any plain-HTTP connection meant for 169.254.x.x (the EC2 instance
// metadata service) to a local server instead, so no test ever reaches the real address.
import http from 'node:http';
import net from 'node:net';

/** Instance identity document, as the EC2 documentation shows it. */
export const IDENTITY_DOCUMENT = {
  accountId: '123456789012',
  architecture: 'x86_64',
  availabilityZone: 'us-west-2b',
  imageId: 'ami-5fb8c835',
  instanceId: 'i-1234567890abcdef0',
  instanceType: 't2.micro',
  pendingTime: '2016-11-19T16:32:11Z',
  privateIp: '10.158.112.84',
  region: 'us-west-2',
  version: '2017-09-30',
};

/** ECS task metadata v4: the container and its task, as the ECS documentation shows them. */
export const ECS_CONTAINER = {
  DockerId: 'ea32192c8553fbff06c9340478a2ff089b2bb5646fb718b4ee206641c9086d66',
  Name: 'orders',
  DockerName: 'ecs-orders-24-orders-cca48e8dcadd97805600',
  Image: '123456789012.dkr.ecr.us-west-2.amazonaws.com/orders:latest',
  DesiredStatus: 'RUNNING',
  KnownStatus: 'RUNNING',
  Limits: { CPU: 256, Memory: 512 },
  Type: 'NORMAL',
  LogDriver: 'awslogs',
  LogOptions: { 'awslogs-group': '/ecs/orders', 'awslogs-region': 'us-west-2', 'awslogs-stream': 'ecs/orders/158d1c8083dd49d6b527399fd6414f5c' },
  ContainerARN: 'arn:aws:ecs:us-west-2:123456789012:container/0206b271-b33f-47ab-86c6-a0ba208a70a9',
  Networks: [{ NetworkMode: 'awsvpc', IPv4Addresses: ['10.0.2.100'] }],
};
export const ECS_TASK = {
  Cluster: 'arn:aws:ecs:us-west-2:123456789012:cluster/default',
  TaskARN: 'arn:aws:ecs:us-west-2:123456789012:task/default/158d1c8083dd49d6b527399fd6414f5c',
  Family: 'orders',
  Revision: '26',
  DesiredStatus: 'RUNNING',
  KnownStatus: 'RUNNING',
  LaunchType: 'FARGATE',
  AvailabilityZone: 'us-west-2d',
  Containers: [ECS_CONTAINER],
};

/**
 * A metadata server answering `routes` ({ 'METHOD /path': body }). `hold()` makes it keep every
 * answer until `release()`. `requests` lists what was asked.
 */
export async function metadataServer(routes) {
  const requests = [];
  let held = null;
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const answer = () => {
      const body = routes[`${req.method} ${req.url}`];
      if (body === undefined) {
        res.statusCode = 404;
        res.end();
      } else {
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      }
    };
    if (held === null) answer();
    else held.push(answer);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    requests,
    port: server.address().port,
    url: `http://127.0.0.1:${server.address().port}`,
    hold: () => {
      held ??= [];
    },
    release: () => {
      const answers = held ?? [];
      held = null;
      answers.forEach((answer) => answer());
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Routes plain-HTTP connections for 169.254.x.x to 127.0.0.1:port. Returns a function that undoes it. */
export function routeLinkLocalTo(port) {
  const previous = http.globalAgent;
  class LinkLocalToLoopback extends http.Agent {
    createConnection(options, callback) {
      if (String(options.host).startsWith('169.254.')) return net.connect({ host: '127.0.0.1', port });
      return super.createConnection(options, callback);
    }
  }
  http.globalAgent = new LinkLocalToLoopback();
  return () => {
    http.globalAgent = previous;
  };
}
