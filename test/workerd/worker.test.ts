import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

describe('Worker entry in workerd', () => {
  it('answers /healthz', async () => {
    const res = await SELF.fetch('https://worker.test/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', version: '0.1.0' });
  });

  it('has its R2 bucket bound', async () => {
    const bucket = (
      env as unknown as {
        ARTIFACTS: {
          put(k: string, v: string): Promise<unknown>;
          get(k: string): Promise<{ text(): Promise<string> } | null>;
        };
      }
    ).ARTIFACTS;
    await bucket.put('probe.txt', 'ok');
    expect(await (await bucket.get('probe.txt'))!.text()).toBe('ok');
  });

  it('rejects /v1 calls without a key with a problem', async () => {
    const res = await SELF.fetch('https://worker.test/v1/audiences');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});
