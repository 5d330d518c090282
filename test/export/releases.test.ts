import { createHash, createHmac } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  audienceRevisionPrefix,
  encodeMembers,
  openMembers,
  SortedCursor,
} from '../../src/audience/index.ts';
import {
  buildRelease,
  destinationSecret,
  latestRelease,
  listReleases,
  type MemberDirectory,
  putDestination,
  requireDestination,
} from '../../src/export/index.ts';
import { InsufficientDataError, InvalidInputError } from '../../src/schema/index.ts';
import { MemoryArtifactStore } from '../../src/store/artifacts.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const members = (n: number) => Array.from({ length: n }, (_, i) => `M${String(i).padStart(4, '0')}`);

async function putRevision(
  store: MemoryArtifactStore,
  id: string,
  ids: readonly string[],
  idKind: 'member' | 'third_party',
  revision = 1,
) {
  await store.publish(audienceRevisionPrefix(id, revision), {
    'members.arrow': encodeMembers({
      ids,
      scores: Float32Array.from(ids, (_, i) => 1 - i / (2 * ids.length)),
      ranks: Int32Array.from(ids, (_, i) => i + 1),
    }),
    'manifest.json': JSON.stringify({
      kind: 'audience',
      id,
      revision,
      idKind,
      modelId: 'lm_x',
      size: ids.length,
      createdAt: '2026-04-01T00:00:00.000Z',
    }),
  });
}

/** Members whose number is a multiple of 5 refused consent; every 7th has no e-mail; M0001 and M0002 share one. */
const directory: MemberDirectory = {
  consented: async (ids) => Uint8Array.from(ids, (id) => (Number(id.slice(1)) % 5 === 0 ? 0 : 1)),
  contacts: async (ids, field) =>
    ids.map((id) => {
      const k = Number(id.slice(1));
      if (k % 7 === 0) return null;
      if (field === 'phone') return `+8190${String(k).padStart(8, '0')}`;
      return k === 2 ? 'first.last+one@gmail.com' : k === 1 ? 'firstlast@gmail.com' : `user.${k}@example.jp`;
    }),
};

async function releasedIds(store: MemoryArtifactStore, destination: string, audienceId: string) {
  const release = (await latestRelease(store, destination, audienceId))!;
  const out: { id: string; rank: number }[] = [];
  const c = new SortedCursor(release.ids);
  for (await c.ready(); !c.done; c.advance(), await c.ready())
    out.push({ id: c.view!.id(c.row), rank: c.view!.rank(c.row) });
  return { release, rows: out };
}

let store: MemoryArtifactStore;
beforeEach(async () => {
  store = new MemoryArtifactStore();
  await putRevision(store, 'au_m', members(300), 'member');
  await putRevision(
    store,
    'au_tp',
    Array.from({ length: 200 }, (_, i) => `tp_${String(i).padStart(7, '0')}`),
    'third_party',
  );
});

describe('releases', () => {
  it('hashes Google-normalised e-mails of consented members, counts who was left out, keeps a shared e-mail once', async () => {
    const { destination } = await putDestination(
      store,
      'google-jp',
      { idForm: 'sha256_email', platform: 'google' },
      'key1',
    );
    expect(destination.purposes).toEqual(['ad_targeting', 'third_party_sharing']);
    const m = await buildRelease(store, directory, {
      destination,
      audienceId: 'au_m',
      minSize: 100,
      by: 'key1',
    });
    const all = members(300).map((id) => Number(id.slice(1)));
    const consented = all.filter((k) => k % 5 !== 0);
    const withEmail = consented.filter((k) => k % 7 !== 0);
    // M0001 and M0002 become firstlast@gmail.com under Google's rules: one ID.
    expect(m.counts).toEqual({
      audience: 300,
      consentExcluded: all.length - consented.length,
      noIdentifier: consented.length - withEmail.length,
      duplicates: 1,
    });
    expect(m.size).toBe(withEmail.length - 1);
    const { rows } = await releasedIds(store, 'google-jp', 'au_m');
    const expected = new Map<string, number>();
    for (const k of withEmail) {
      const email = k === 1 || k === 2 ? 'firstlast@gmail.com' : `user.${k}@example.jp`;
      if (!expected.has(sha(email))) expected.set(sha(email), k + 1);
    }
    expect(rows.map((r) => r.id)).toEqual([...expected.keys()].sort());
    expect(rows.map((r) => r.rank)).toEqual([...expected.keys()].sort().map((h) => expected.get(h)));
  });

  it('sends Meta the same member as plain lower-cased e-mail and digits-only phone', async () => {
    const email = (await putDestination(store, 'meta-e', { idForm: 'sha256_email', platform: 'meta' }, null))
      .destination;
    await buildRelease(store, directory, { destination: email, audienceId: 'au_m', minSize: 1, by: null });
    const { rows } = await releasedIds(store, 'meta-e', 'au_m');
    expect(rows.map((r) => r.id)).toContain(sha('first.last+one@gmail.com'));
    const phone = (await putDestination(store, 'meta-p', { idForm: 'sha256_phone', platform: 'meta' }, null))
      .destination;
    await buildRelease(store, directory, { destination: phone, audienceId: 'au_m', minSize: 1, by: null });
    const phones = (await releasedIds(store, 'meta-p', 'au_m')).rows.map((r) => r.id);
    expect(phones).toContain(sha('819000000001'));
    expect(phones).not.toContain(sha('+819000000001'));
  });

  it('keys IDs with the destination secret: HMAC-SHA-256, stable per destination, different across destinations', async () => {
    const a = (
      await putDestination(store, 'dsp-a', { idForm: 'hmac_sha256', purposes: ['ad_targeting'] }, null)
    ).destination;
    const b = (
      await putDestination(store, 'dsp-b', { idForm: 'hmac_sha256', purposes: ['ad_targeting'] }, null)
    ).destination;
    await buildRelease(store, directory, { destination: a, audienceId: 'au_tp', minSize: 100, by: null });
    await buildRelease(store, directory, { destination: b, audienceId: 'au_tp', minSize: 100, by: null });
    const key = await destinationSecret(store, 'dsp-a', 1);
    expect(key.length).toBe(32);
    const ra = (await releasedIds(store, 'dsp-a', 'au_tp')).rows.map((r) => r.id);
    const rb = new Set((await releasedIds(store, 'dsp-b', 'au_tp')).rows.map((r) => r.id));
    const reference = Array.from({ length: 200 }, (_, i) =>
      createHmac('sha256', key)
        .update(`tp_${String(i).padStart(7, '0')}`)
        .digest('hex'),
    );
    expect(ra).toEqual(reference.sort());
    expect(ra.filter((x) => rb.has(x))).toEqual([]);
  });

  it('writes every ID of a large release exactly (its buffers grow past their first size)', async () => {
    const ids = Array.from({ length: 40_000 }, (_, i) => `tp_${String(i).padStart(7, '0')}`);
    await putRevision(store, 'au_large', ids, 'third_party');
    for (const [name, idForm] of [
      ['dsp-l1', 'hmac_sha256'],
      ['dsp-l2', 'tp_id'],
    ] as const) {
      const d = (await putDestination(store, name, { idForm, purposes: ['ad_targeting'] }, null)).destination;
      await buildRelease(store, directory, {
        destination: d,
        audienceId: 'au_large',
        minSize: 100,
        by: null,
      });
      const key = idForm === 'hmac_sha256' ? await destinationSecret(store, name, 1) : null;
      const expected = ids
        .map((id) => (key ? createHmac('sha256', key).update(id).digest('hex') : id))
        .sort();
      expect((await releasedIds(store, name, 'au_large')).rows.map((r) => r.id)).toEqual(expected);
    }
  });

  it('cannot be reversed by enumerating IDs: 100,000 guesses match none of 10,000 keyed IDs, while plain SHA-256 falls to all', async () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `tp_${String(i * 7 + 3).padStart(7, '0')}`);
    await putRevision(store, 'au_big', ids, 'third_party');
    const d = (
      await putDestination(store, 'dsp-x', { idForm: 'hmac_sha256', purposes: ['ad_targeting'] }, null)
    ).destination;
    await buildRelease(store, directory, { destination: d, audienceId: 'au_big', minSize: 100, by: null });
    const released = new Set((await releasedIds(store, 'dsp-x', 'au_big')).rows.map((r) => r.id));
    expect(released.size).toBe(10_000);
    // The attacker knows the ID format, not the secret: hash every candidate, plainly or with a guessed key.
    const guessKey = crypto.getRandomValues(new Uint8Array(32));
    let plainHits = 0;
    let guessedKeyHits = 0;
    let plainOfReleased = 0;
    const plainOfIds = new Set(ids.map(sha));
    for (let k = 0; k < 100_000; k++) {
      const candidate = `tp_${String(k).padStart(7, '0')}`;
      const plain = sha(candidate);
      if (released.has(plain)) plainHits++;
      if (released.has(createHmac('sha256', guessKey).update(candidate).digest('hex'))) guessedKeyHits++;
      if (plainOfIds.has(plain)) plainOfReleased++;
    }
    expect(plainHits).toBe(0);
    expect(guessedKeyHits).toBe(0);
    // The same enumeration against the retired plain SHA-256 form recovers every ID.
    expect(plainOfReleased).toBe(10_000);
  });

  it('refuses forms that cannot carry the IDs and releases below the minimum, writing nothing', async () => {
    const tp = (await putDestination(store, 'dsp-raw', { idForm: 'tp_id' }, null)).destination;
    await expect(
      buildRelease(store, directory, { destination: tp, audienceId: 'au_m', minSize: 100, by: null }),
    ).rejects.toThrow('audience "au_m" holds member IDs, which never leave as they are');
    const email = (await putDestination(store, 'mail', { idForm: 'sha256_email' }, null)).destination;
    await expect(
      buildRelease(store, directory, { destination: email, audienceId: 'au_tp', minSize: 100, by: null }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    const strict = await buildRelease(store, directory, {
      destination: email,
      audienceId: 'au_m',
      minSize: 300,
      by: null,
    }).catch((e: unknown) => e);
    // The generic platform keeps Gmail dots: M0001 and M0002 stay two people here.
    expect(strict).toBeInstanceOf(InsufficientDataError);
    expect((strict as Error).message).toMatch(
      /^revision 1 of audience "au_m" leaves 206 people for destination "mail", below the minimum release size of 300 \(of 300: 60 without consent to ad_targeting and third_party_sharing, 34 without the needed e-mail, 0 duplicates\)$/,
    );
    expect(await listReleases(store, 'mail', 'au_m')).toEqual([]);
  });

  it('is made once per revision and form; a key rotation makes a new release and drops the old form', async () => {
    const d = (
      await putDestination(store, 'dsp-r', { idForm: 'hmac_sha256', purposes: ['ad_targeting'] }, null)
    ).destination;
    const first = await buildRelease(store, directory, {
      destination: d,
      audienceId: 'au_tp',
      minSize: 100,
      by: null,
    });
    expect(
      await buildRelease(store, directory, { destination: d, audienceId: 'au_tp', minSize: 100, by: null }),
    ).toEqual(first);
    const rotated = await putDestination(
      store,
      'dsp-r',
      { idForm: 'hmac_sha256', purposes: ['ad_targeting'], rotateKey: true },
      null,
    );
    expect(rotated).toMatchObject({ changed: true, destination: { keyVersion: 2 } });
    const second = await buildRelease(store, directory, {
      destination: await requireDestination(store, 'dsp-r'),
      audienceId: 'au_tp',
      minSize: 100,
      by: null,
    });
    expect(second.form).not.toBe(first.form);
    expect((await listReleases(store, 'dsp-r', 'au_tp')).map((r) => r.form)).toEqual([second.form]);
    const ids = (await releasedIds(store, 'dsp-r', 'au_tp')).rows.map((r) => r.id);
    const key2 = await destinationSecret(store, 'dsp-r', 2);
    expect(ids).toContain(createHmac('sha256', key2).update('tp_0000000').digest('hex'));
    expect(openMembers((await store.get('audiences/au_tp/members.arrow'))!).length).toBe(200);
  });
});
