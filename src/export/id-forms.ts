/**
 * The forms in which a destination receives IDs. A destination declares one:
 *
 * - `tp_id`: third-party IDs as they are. Only for audiences of third-party IDs, which the
 *   destination's own data provider issued; the only plain form.
 * - `hmac_sha256`: HMAC-SHA-256 of the ID with a secret of that destination (hex). Stable for the
 *   destination, unlinkable across destinations, and not reversible by enumerating IDs (the
 *   secret never leaves the workspace).
 * - `sha256_email`, `sha256_phone`: SHA-256 (hex) of the member's e-mail or phone, normalised as
 *   the destination's platform documents it, so the platform can match its own users. Only for
 *   audiences of members; members without the contact are left out and counted.
 *
 * A plain SHA-256 of an ID (the old `sha256` form) is not offered: member and profile IDs are
 * short and sequential, so their hashes are reversed by hashing every possible ID.
 */
import { InvalidInputError } from '../schema/index.ts';

export const ID_FORMS = ['tp_id', 'hmac_sha256', 'sha256_email', 'sha256_phone'] as const;
export type IdForm = (typeof ID_FORMS)[number];

/** Whose matching rules contact hashes follow. `generic`: trimmed, lower-cased e-mail; E.164 phone. */
export const PLATFORMS = ['generic', 'meta', 'google'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const ID_FORM_DESCRIPTIONS: Readonly<Record<IdForm, string>> = {
  tp_id: 'third-party IDs as they are (audiences of third-party IDs only)',
  hmac_sha256: 'HMAC-SHA-256 of the ID with a secret of the destination, hex (not reversible by enumeration)',
  sha256_email: "SHA-256 of the member's e-mail normalised for the platform, hex (member audiences only)",
  sha256_phone: "SHA-256 of the member's phone normalised for the platform, hex (member audiences only)",
};

const GMAIL = new Set(['gmail.com', 'googlemail.com']);

/**
 * A stored e-mail (trimmed, lower-cased at import) as a platform hashes it. Google's Data Manager
 * API removes the dots of a Gmail or Googlemail local part and everything from a `+` on
 * (cloudy.sanfrancisco+shopping@gmail.com is cloudysanfrancisco@gmail.com); Meta's customer
 * information parameters only trim and lower-case.
 */
export function platformEmail(email: string, platform: Platform): string {
  const normal = email.trim().toLowerCase();
  if (platform !== 'google') return normal;
  const at = normal.lastIndexOf('@');
  const domain = normal.slice(at + 1);
  if (at <= 0 || !GMAIL.has(domain)) return normal;
  const local = normal.slice(0, at).split('+')[0]!.replaceAll('.', '');
  return `${local}@${domain}`;
}

/**
 * A stored phone (E.164, `+819012345678`) as a platform hashes it: Meta wants the digits with the
 * country code and no `+` (819012345678); Google and the generic form keep E.164.
 */
export function platformPhone(e164: string, platform: Platform): string {
  const digits = e164.replace(/[^0-9]/g, '');
  return platform === 'meta' ? digits : `+${digits}`;
}

/**
 * Checks an ID form can carry an audience's IDs.
 *
 * @throws InvalidInputError naming the form and what it needs.
 */
export function checkFormFits(idForm: IdForm, idKind: 'third_party' | 'member', audienceId: string): void {
  if (idForm === 'tp_id' && idKind !== 'third_party') {
    throw new InvalidInputError(
      `audience "${audienceId}" holds member IDs, which never leave as they are; use a destination whose ID form is hmac_sha256, sha256_email or sha256_phone`,
      'idForm',
    );
  }
  if ((idForm === 'sha256_email' || idForm === 'sha256_phone') && idKind !== 'member') {
    throw new InvalidInputError(
      `audience "${audienceId}" holds third-party IDs, which have no ${idForm === 'sha256_email' ? 'e-mail' : 'phone'}; use a destination whose ID form is tp_id or hmac_sha256`,
      'idForm',
    );
  }
}
