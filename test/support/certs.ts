// Self-signed certificates from the openssl CLI: one serves as the registry's TLS cert and
// trust anchor at once, another as the token server's signing cert (x5c + rootcertbundle).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertOptions {
  /** 'rsa' (2048, the default) or 'ec' (P-256). */
  keyType?: 'rsa' | 'ec';
  /** File name stem inside dir: STEM.crt / STEM.key. Default 'cert'. */
  name?: string;
  commonName?: string;
  /** Validity; default 2 so a test run across midnight UTC cannot see it expire. */
  days?: number;
}

export interface SelfSignedCert {
  certPem: string;
  keyPem: string;
  certFile: string;
  keyFile: string;
}

export async function makeSelfSignedCert(dir: string, opts: CertOptions = {}): Promise<SelfSignedCert> {
  const stem = opts.name ?? 'cert';
  const certFile = join(dir, `${stem}.crt`);
  const keyFile = join(dir, `${stem}.key`);
  const keyArgs =
    (opts.keyType ?? 'rsa') === 'ec'
      ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']
      : ['-newkey', 'rsa:2048'];
  await run('openssl', [
    'req', '-x509', '-nodes', ...keyArgs,
    '-keyout', keyFile, '-out', certFile,
    '-days', String(opts.days ?? 2), '-sha256',
    '-subj', `/CN=${opts.commonName ?? 'localhost'}`,
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  const [certPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  return { certPem, keyPem, certFile, keyFile };
}
