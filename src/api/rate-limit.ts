import type { MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Role } from '../schema/index.ts';
import type { ApiEnv } from './auth.ts';
import { problem, problemResponse } from './problem.ts';

export type RateLimits = Readonly<Record<Role, number>>;

/** Requests per minute per key, by role: machines pulling exports get more than people. */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  admin: 600,
  data_scientist: 600,
  marketer: 600,
  ad_platform: 1200,
};

/**
 * A token bucket per API key (in memory, per process): the bucket holds a minute's allowance
 * and refills continuously, so short bursts pass and a sustained flood gets 429 with Retry-After.
 */
export function rateLimit(
  limits: RateLimits = DEFAULT_RATE_LIMITS,
  now: () => number = Date.now,
): MiddlewareHandler<ApiEnv> {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return createMiddleware<ApiEnv>(async (c, next) => {
    const { keyId, role } = c.get('principal');
    const perMinute = limits[role];
    const t = now();
    const bucket = buckets.get(keyId) ?? { tokens: perMinute, at: t };
    bucket.tokens = Math.min(perMinute, bucket.tokens + ((t - bucket.at) / 60_000) * perMinute);
    bucket.at = t;
    buckets.set(keyId, bucket);
    c.header('ratelimit-limit', String(perMinute));
    if (bucket.tokens < 1) {
      const retry = Math.ceil(((1 - bucket.tokens) * 60) / perMinute);
      return problemResponse(
        c,
        problem(
          'rate-limited',
          429,
          `this key may make ${perMinute} requests per minute; retry in ${retry} s`,
        ),
        { 'retry-after': String(retry) },
      );
    }
    bucket.tokens -= 1;
    c.header('ratelimit-remaining', String(Math.floor(bucket.tokens)));
    await next();
  });
}
