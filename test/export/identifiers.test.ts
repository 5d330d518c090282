/**
 * Contact hashes against the platforms' own published examples, end to end: raw values imported
 * into members (normalised at import), released to a destination of that platform, and compared
 * with the documented SHA-256 output.
 *
 * Sources of the vectors:
 * - Meta, Conversions API, Customer Information Parameters
 *   (https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters):
 *   em "John_Smith@gmail.com" -> "john_smith@gmail.com" -> 62a14e44…0f62f;
 *   ph US "(650)555-1212" -> "16505551212" -> e323ec62…b3176.
 * - Google, Data Manager API, "Send audience members" sample data
 *   (https://developers.google.com/data-manager/api/devguides/audiences/send-audience-members),
 *   with the rules of its formatting guide (https://developers.google.com/data-manager/api/devguides/concepts/formatting):
 *   "dana@example.com" -> 07e2f139…e57b3; "DanaM@example.com" -> 1df6b43b…906c7;
 *   "cloudySanFrancisco@GMAIL.com" -> "cloudysanfrancisco@gmail.com" -> 223ebda6…9f9c4 (also the
 *   guide's "cloudy.sanfrancisco+shopping@gmail.com"); "+1-800-555-0100" -> "+18005550100" ->
 *   fb4f73a6…17b30; "+1-800-555-0110" -> 525c2390…6525d.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audienceRevisionPrefix, encodeMembers, SortedCursor } from '../../src/audience/index.ts';
import {
  buildRelease,
  latestRelease,
  platformEmail,
  platformPhone,
  putDestination,
  workspaceDirectory,
} from '../../src/export/index.ts';
import { importTable } from '../../src/ingest/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { tempWorkspace } from '../helpers/workspace.ts';

const META = {
  email: ['John_Smith@gmail.com', '62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f'],
  phone: ['+1 (650) 555-1212', 'e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176'],
} as const;
const GOOGLE_EMAILS = [
  ['dana@example.com', '07e2f1394b0ea80e2adca010ea8318df697001a005ba7452720edda4b0ce57b3'],
  ['DanaM@example.com', '1df6b43bc68dd38eca94e6a65b4f466ae537b796c81a526918b40ac4a7b906c7'],
  ['cloudySanFrancisco@GMAIL.com', '223ebda6f6889b1494551ba902d9d381daf2f642bae055888e96343d53e9f9c4'],
] as const;
const GOOGLE_PHONES = [
  ['+1-800-555-0100', 'fb4f73a6ec5fdb7077d564cdd22c3554b43ce49168550c3b12c547b78c517b30'],
  ['+1-800-555-0110', '525c2390a4e2a9766fa8ddc341dd10414603baebefa401f5a5e29f55e176525d'],
] as const;

let ws: Workspace;
let cleanup: () => void;
const dir = mkdtempSync(join(tmpdir(), 'identifiers-'));

beforeAll(async () => {
  ({ ws, cleanup } = await tempWorkspace());
  const rows = [
    ['M1', META.email[0], META.phone[0]],
    ['M2', GOOGLE_EMAILS[0][0], GOOGLE_PHONES[0][0]],
    ['M3', GOOGLE_EMAILS[1][0], GOOGLE_PHONES[1][0]],
    ['M4', GOOGLE_EMAILS[2][0], ''],
  ];
  const path = join(dir, 'members.csv');
  writeFileSync(
    path,
    `member_id,email,phone\n${rows.map((r) => r.map((v) => `"${v}"`).join(',')).join('\n')}\n`,
  );
  await importTable(ws, { table: 'members', source: { kind: 'file', path } });
  const consents = join(dir, 'consents.csv');
  writeFileSync(
    consents,
    `member_id,purpose,granted\n${rows.flatMap(([m]) => [`${m},ad_targeting,true`, `${m},third_party_sharing,true`]).join('\n')}\n`,
  );
  await importTable(ws, { table: 'consents', source: { kind: 'file', path: consents } });
  const ids = rows.map((r) => r[0]!);
  await ws.artifacts.publish(audienceRevisionPrefix('au_v', 1), {
    'members.arrow': encodeMembers({
      ids,
      scores: new Float32Array(ids.length).fill(0.5),
      ranks: Int32Array.from(ids, (_, i) => i + 1),
    }),
    'manifest.json': JSON.stringify({
      kind: 'audience',
      id: 'au_v',
      revision: 1,
      idKind: 'member',
      modelId: 'lm_x',
      size: 4,
      createdAt: '2026-04-01T00:00:00.000Z',
    }),
  });
});
afterAll(() => {
  cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function released(name: string, idForm: 'sha256_email' | 'sha256_phone', platform: 'meta' | 'google') {
  const { destination } = await putDestination(ws.artifacts, name, { idForm, platform }, null);
  await buildRelease(ws.artifacts, workspaceDirectory(ws), {
    destination,
    audienceId: 'au_v',
    minSize: 1,
    by: null,
  });
  const release = (await latestRelease(ws.artifacts, name, 'au_v'))!;
  const ids: string[] = [];
  const c = new SortedCursor(release.ids);
  for (await c.ready(); !c.done; c.advance(), await c.ready()) ids.push(c.view!.id(c.row));
  return { ids, counts: release.manifest.counts };
}

describe('platform-ready contact hashes equal the platforms’ published examples', () => {
  it('Meta: e-mail trimmed and lower-cased, phone as digits with the country code', async () => {
    expect((await released('meta-email', 'sha256_email', 'meta')).ids).toContain(META.email[1]);
    const phones = await released('meta-phone', 'sha256_phone', 'meta');
    expect(phones.ids).toContain(META.phone[1]);
    expect(phones.counts.noIdentifier).toBe(1);
  });

  it('Google: lower-cased e-mail (Gmail rules), E.164 phone', async () => {
    const emails = (await released('google-email', 'sha256_email', 'google')).ids;
    for (const [, hash] of GOOGLE_EMAILS) expect(emails).toContain(hash);
    const phones = (await released('google-phone', 'sha256_phone', 'google')).ids;
    for (const [, hash] of GOOGLE_PHONES) expect(phones).toContain(hash);
  });

  it("applies Google's Gmail rules only for Google", () => {
    expect(platformEmail('cloudy.sanfrancisco+shopping@gmail.com', 'google')).toBe(
      'cloudysanfrancisco@gmail.com',
    );
    expect(platformEmail('user.name+NYC@Example.com', 'google')).toBe('user.name+nyc@example.com');
    expect(platformEmail('cloudy.sanfrancisco+shopping@gmail.com', 'meta')).toBe(
      'cloudy.sanfrancisco+shopping@gmail.com',
    );
    expect(platformPhone('+18005550100', 'google')).toBe('+18005550100');
    expect(platformPhone('+819012345678', 'meta')).toBe('819012345678');
  });
});
