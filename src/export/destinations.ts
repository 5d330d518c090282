/**
 * Destinations: the ad platforms (or DSPs, clean rooms) audiences are shared with. Each declares
 * the ID form it needs, the platform whose normalisation contact hashes follow, and the consent
 * purposes a member must have granted to be sent to it. One JSON artifact per destination
 * (`destinations/<name>.json`). A destination's keyed-ID secret lives apart from it
 * (`secrets/destinations/<name>/<version>.key`), never leaves the workspace and is never shown;
 * rotating it starts a new key version (and new IDs for that destination).
 */
import { KNOWN_PURPOSES, PURPOSE_PATTERN } from '../audience/consent.ts';
import { InvalidInputError, NotFoundError } from '../schema/index.ts';
import { type ArtifactStore, getJson, putJson } from '../store/artifacts.ts';
import { ID_FORMS, type IdForm, PLATFORMS, type Platform } from './id-forms.ts';
import { checkDestination, isShareName } from './shares.ts';

export const DESTINATION_PREFIX = 'destinations';
const SECRET_PREFIX = 'secrets/destinations';

export interface Destination {
  name: string;
  idForm: IdForm;
  platform: Platform;
  /** Consent purposes a member must have granted to be sent here. */
  purposes: string[];
  /** Version of the keyed-ID secret (hmac_sha256); bumped by a rotation. */
  keyVersion: number;
  createdAt: string;
  updatedAt: string;
  updatedBy: string | null;
}

export interface DestinationInput {
  idForm: IdForm;
  platform?: Platform | undefined;
  purposes?: readonly string[] | undefined;
  /** Start a new secret (hmac_sha256): the destination gets new IDs from the next release on. */
  rotateKey?: boolean | undefined;
}

/** Purposes asked of members when a destination names none: it targets ads and receives the data. */
export const DEFAULT_PURPOSES = ['ad_targeting', 'third_party_sharing'] as const;

const key = (name: string) => `${DESTINATION_PREFIX}/${checkDestination(name)}.json`;

export async function getDestination(store: ArtifactStore, name: string): Promise<Destination | null> {
  if (!isShareName(name)) return null;
  return getJson<Destination>(store, key(name));
}

/** @throws NotFoundError when the destination has not been declared. */
export async function requireDestination(store: ArtifactStore, name: string): Promise<Destination> {
  const d = await getDestination(store, name);
  if (!d) {
    throw new NotFoundError(
      'destination',
      name,
      'declare it first with its ID form (PUT /v1/destinations/{name}, or `lookalike audience destination`)',
    );
  }
  return d;
}

export async function listDestinations(store: ArtifactStore): Promise<Destination[]> {
  const out: Destination[] = [];
  for (const k of await store.list(`${DESTINATION_PREFIX}/`)) {
    if (!/^destinations\/[^/]+\.json$/.test(k)) continue;
    const d = await getJson<Destination>(store, k);
    if (d) out.push(d);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function checkPurposes(purposes: readonly string[]): string[] {
  for (const p of purposes) {
    if (!PURPOSE_PATTERN.test(p)) {
      throw new InvalidInputError(
        `purpose "${p}" is not valid: use a lower-case code such as ${KNOWN_PURPOSES.join(', ')}`,
        'purposes',
      );
    }
  }
  return [...new Set(purposes)].sort();
}

/**
 * Declares or changes a destination.
 *
 * @returns the destination and whether what it receives changed (form, platform, purposes or key):
 *   releases made before are then stale.
 */
export async function putDestination(
  store: ArtifactStore,
  name: string,
  input: DestinationInput,
  by: string | null,
): Promise<{ destination: Destination; created: boolean; changed: boolean }> {
  if (!(ID_FORMS as readonly string[]).includes(input.idForm)) {
    throw new InvalidInputError(
      `idForm must be one of ${ID_FORMS.join(', ')}, got "${input.idForm}"`,
      'idForm',
    );
  }
  const platform = input.platform ?? 'generic';
  if (!(PLATFORMS as readonly string[]).includes(platform)) {
    throw new InvalidInputError(
      `platform must be one of ${PLATFORMS.join(', ')}, got "${platform}"`,
      'platform',
    );
  }
  const purposes = checkPurposes(input.purposes ?? DEFAULT_PURPOSES);
  const before = await getDestination(store, name);
  const now = new Date().toISOString();
  const destination: Destination = {
    name: checkDestination(name),
    idForm: input.idForm,
    platform,
    purposes,
    keyVersion: (before?.keyVersion ?? 1) + (before && input.rotateKey ? 1 : 0),
    createdAt: before?.createdAt ?? now,
    updatedAt: now,
    updatedBy: by,
  };
  await putJson(store, key(name), destination);
  const changed =
    !before ||
    before.idForm !== destination.idForm ||
    before.platform !== destination.platform ||
    before.purposes.join(',') !== destination.purposes.join(',') ||
    before.keyVersion !== destination.keyVersion;
  return { destination, created: !before, changed };
}

const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const fromHex = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));

/**
 * The keyed-ID secret of a destination's key version: 32 random bytes, created on first use.
 * Kept under `secrets/`, which no API answer, export or Worker sync includes.
 */
export async function destinationSecret(
  store: ArtifactStore,
  name: string,
  version: number,
): Promise<Uint8Array> {
  const k = `${SECRET_PREFIX}/${checkDestination(name)}/${version}.key`;
  const stored = await store.get(k);
  if (stored) return fromHex(new TextDecoder().decode(stored).trim());
  await store.put(k, `${toHex(crypto.getRandomValues(new Uint8Array(32)))}\n`);
  // Read back what is stored: of two first uses at once, both go on with the one that stayed.
  return fromHex(new TextDecoder().decode((await store.get(k))!).trim());
}
