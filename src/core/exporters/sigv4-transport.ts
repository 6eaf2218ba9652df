import type { ExportResponse, IExporterTransport } from '@opentelemetry/otlp-exporter-base';
import { errorMessage } from '../common/index.js';
import { ResponseTooLargeError, awsErrorType, post } from '../net/index.js';
import { loadSigV4Packages } from './sigv4-packages.js';

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const MAX_ATTEMPTS = 5;
const INITIAL_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 5000;

/** AWS credentials, as the AWS SDK's credential providers return them. */
export type CredentialsProvider = () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }>;

export interface SigV4TransportOptions {
  url: URL;
  region: string;
  /** Default: the AWS SDK's default credential chain. */
  credentials?: CredentialsProvider;
}

type Signer = { sign(request: unknown): Promise<unknown> };
type Signed = { method: string; headers: Record<string, string>; path: string };

/**
 * OTLP/HTTP transport that signs each request with SigV4 for service `xray`. The OTLP
 * exporter's own transport cannot: a signature covers the body, and its header hook does
 * not see the body. The signer and the credential chain load on first use, so apps that
 * never pick this exporter never load them (they are optional peer dependencies).
 */
export class SigV4Transport implements IExporterTransport {
  private signer: Promise<Signer> | undefined;
  private readonly url: URL;

  constructor(private readonly options: SigV4TransportOptions) {
    this.url = options.url;
  }

  private loadSigner(): Promise<Signer> {
    this.signer ??= (async () => {
      const { signature, sha256, credentials: chain } = await loadSigV4Packages();
      const credentials = this.options.credentials ?? chain.defaultProvider();
      return new signature.SignatureV4({ service: 'xray', region: this.options.region, credentials, sha256: sha256.Sha256 }) as Signer;
    })();
    this.signer.catch(() => (this.signer = undefined));
    return this.signer;
  }

  private async sign(body: Uint8Array): Promise<Signed> {
    const [signer, { http }] = await Promise.all([this.loadSigner(), loadSigV4Packages()]);
    const { url } = this;
    const unsigned = new http.HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: url.pathname,
      headers: { host: url.host, 'content-type': 'application/x-protobuf' },
      body,
    });
    return (await signer.sign(unsigned)) as Signed;
  }

  /**
   * One signed POST. An error names the status and the AWS error type only: the body of an
   * error answer may echo the request's headers (access key id, signature, session token).
   */
  private async post(body: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
    let signed: Signed;
    try {
      signed = await this.sign(body);
    } catch (error) {
      // Signing fails when no credentials can be found: retrying will not find them sooner.
      return { status: 'failure', error: new Error(`cannot sign the request: ${errorMessage(error)}`) };
    }
    try {
      const response = await post(this.url, body, { headers: signed.headers, timeoutMillis });
      const { status } = response;
      if (status >= 200 && status < 300) return { status: 'success', data: response.body };
      const type = awsErrorType(response);
      const error = new Error(type === undefined ? `HTTP ${status}` : `HTTP ${status}: ${type}`);
      if (!RETRYABLE_STATUS.has(status)) return { status: 'failure', error };
      const retryAfter = Number(response.headers['retry-after']);
      return { status: 'retryable', error, retryInMillis: Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined };
    } catch (error) {
      // An oversized answer will be oversized again; a network error or a timeout may pass.
      if (error instanceof ResponseTooLargeError) return { status: 'failure', error };
      return { status: 'retryable', error: error instanceof Error ? error : new Error(String(error)) };
    }
  }

  /** Sends, retrying 429/502/503/504 and network errors with backoff while time remains. */
  async send(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
    const deadline = Date.now() + timeoutMillis;
    let backoff = INITIAL_BACKOFF_MS;
    let result = await this.post(data, timeoutMillis);
    for (let attempt = 1; result.status === 'retryable' && attempt < MAX_ATTEMPTS; attempt++) {
      const wait = result.retryInMillis ?? Math.min(backoff * (0.8 + Math.random() * 0.4), MAX_BACKOFF_MS);
      backoff *= 1.5;
      const remaining = deadline - Date.now();
      if (wait >= remaining) break;
      await new Promise((resolve) => setTimeout(resolve, wait).unref());
      result = await this.post(data, deadline - Date.now());
    }
    return result;
  }

  shutdown(): void {}
}
