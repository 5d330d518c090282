// The public API as the studio calls it: the marketer's key, the page's language for problem
// details, and jobs followed until they finish.
const KEY = 'studio.apiKey';

export const session = {
  get key() {
    return sessionStorage.getItem(KEY);
  },
  set key(value) {
    if (value) sessionStorage.setItem(KEY, value);
    else sessionStorage.removeItem(KEY);
  },
  lang: 'ja',
};

/** An API error with the problem details the server sent (already in the page's language). */
export class ApiError extends Error {
  constructor(problem, status) {
    // Job errors are stored once, in English with the error's own Japanese beside it (detailJa).
    const ja = session.lang === 'ja' && typeof problem?.detailJa === 'string' ? problem.detailJa : null;
    super(ja || problem?.detail || problem?.title || `HTTP ${status}`);
    this.problem = problem;
    this.status = status;
  }
}

export async function api(path, { method = 'GET', body, raw = false } = {}) {
  const headers = { 'accept-language': session.lang === 'ja' ? 'ja' : 'en' };
  if (session.key) headers.authorization = `Bearer ${session.key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (raw && res.ok) return res;
  const type = res.headers.get('content-type') || '';
  const data = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) throw new ApiError(typeof data === 'object' ? data : { detail: String(data) }, res.status);
  return data;
}

/** Polls a job until it finishes; `onProgress(fraction, message)` on every change. */
export async function followJob(job, onProgress = () => {}) {
  let current = job;
  for (;;) {
    onProgress(current.progress?.fraction ?? 0, current.progress?.message ?? current.state);
    if (current.state === 'completed') return current.result;
    if (current.state === 'failed') throw new ApiError(current.error, current.error?.status ?? 500);
    if (current.state === 'cancelled') throw new ApiError({ detail: 'cancelled' }, 409);
    await new Promise((r) => setTimeout(r, 400));
    current = await api(`/v1/jobs/${current.id}`);
  }
}
