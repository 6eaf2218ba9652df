/**
 * The packages that sign requests for the `xray-otlp` exporter: the AWS credential chain and
 * SigV4. They are optional peer dependencies, since no other exporter needs them (about 30
 * packages with their own dependencies), so an app that picks `xray-otlp` installs them itself.
 */
export const SIGV4_PACKAGES = ['@aws-sdk/credential-provider-node', '@smithy/signature-v4', '@smithy/protocol-http', '@aws-crypto/sha256-js'] as const;

export interface SigV4Packages {
  credentials: typeof import('@aws-sdk/credential-provider-node');
  signature: typeof import('@smithy/signature-v4');
  http: typeof import('@smithy/protocol-http');
  sha256: typeof import('@aws-crypto/sha256-js');
}

type Loaded<T> = { module: T; error?: undefined } | { module?: undefined; error: unknown };

// One function per package, each import inside its own try: a bundler (esbuild) then leaves a
// missing optional package to run time instead of failing the build.
async function credentialChain(): Promise<Loaded<SigV4Packages['credentials']>> {
  try {
    return { module: await import('@aws-sdk/credential-provider-node') };
  } catch (error) {
    return { error };
  }
}

async function signatureV4(): Promise<Loaded<SigV4Packages['signature']>> {
  try {
    return { module: await import('@smithy/signature-v4') };
  } catch (error) {
    return { error };
  }
}

async function protocolHttp(): Promise<Loaded<SigV4Packages['http']>> {
  try {
    return { module: await import('@smithy/protocol-http') };
  } catch (error) {
    return { error };
  }
}

async function sha256(): Promise<Loaded<SigV4Packages['sha256']>> {
  try {
    return { module: await import('@aws-crypto/sha256-js') };
  } catch (error) {
    return { error };
  }
}

function isMissing(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(name);
}

let loading: Promise<SigV4Packages> | undefined;

/**
 * Loads the signing packages once; rejects with an error that names the missing ones and how
 * to install them.
 */
export function loadSigV4Packages(): Promise<SigV4Packages> {
  loading ??= (async () => {
    const [credentials, signature, http, hash] = await Promise.all([credentialChain(), signatureV4(), protocolHttp(), sha256()]);
    const results = [credentials, signature, http, hash];
    const missing = SIGV4_PACKAGES.filter((name, i) => results[i]?.error !== undefined && isMissing(results[i]?.error, name));
    if (missing.length > 0) {
      const one = missing.length === 1;
      throw new Error(
        `otel-xray: exporter 'xray-otlp' signs its requests with ${missing.join(', ')}, optional peer ` +
          `dependenc${one ? 'y' : 'ies'} that ${one ? 'is' : 'are'} not installed: npm install ${missing.join(' ')}`,
      );
    }
    const failed = results.find((result) => result.error !== undefined);
    if (failed !== undefined) throw failed.error;
    return { credentials: credentials.module!, signature: signature.module!, http: http.module!, sha256: hash.module! };
  })();
  loading.catch(() => (loading = undefined));
  return loading;
}
