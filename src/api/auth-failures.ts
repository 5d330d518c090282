/**
 * Failed authentication is rate-limited per client address: after `perMinute` failures (bad,
 * unknown or revoked keys) an address gets 429 with Retry-After on every request until its bucket
 * refills, so keys cannot be guessed at line rate. Successful requests cost nothing here; they
 * have their own per-key limits.
 */
import type { Context } from 'hono';

export interface AuthFailureLimits {
  /** Failures allowed per minute per address (the bucket refills continuously). */
  perMinute: number;
}

export const DEFAULT_AUTH_FAILURE_LIMITS: AuthFailureLimits = { perMinute: 30 };

/** Buckets kept at most; the oldest is dropped first (a flood of addresses cannot grow memory). */
const MAX_ADDRESSES = 100_000;

export class AuthFailureLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limits: AuthFailureLimits = DEFAULT_AUTH_FAILURE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  private bucket(address: string): { tokens: number; at: number } {
    const t = this.now();
    const per = this.limits.perMinute;
    const b = this.buckets.get(address) ?? { tokens: per, at: t };
    b.tokens = Math.min(per, b.tokens + ((t - b.at) / 60_000) * per);
    b.at = t;
    this.buckets.delete(address);
    this.buckets.set(address, b);
    if (this.buckets.size > MAX_ADDRESSES) this.buckets.delete(this.buckets.keys().next().value!);
    return b;
  }

  /** Seconds until `address` may try again; 0 when it may now. */
  retryAfter(address: string): number {
    const b = this.bucket(address);
    return b.tokens >= 1 ? 0 : Math.ceil(((1 - b.tokens) * 60) / this.limits.perMinute);
  }

  /** Records one failed attempt of `address`. */
  fail(address: string): void {
    const b = this.bucket(address);
    b.tokens = Math.max(0, b.tokens - 1);
  }
}

/** How a runtime names the client of a request (Node: the socket's address; Workers: CF-Connecting-IP). */
export type ClientAddress = (c: Context) => string;

export const unknownClient: ClientAddress = () => 'unknown';
