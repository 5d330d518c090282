/**
 * Import normalisation of contact columns (`format: 'email' | 'phone'` in the table contract), as
 * DuckDB SQL in the shape `validate-sql.ts` builds every column with: a value expression over the
 * trimmed raw text, and an error expression over the parsed value. Contact values are stored in
 * the one form every destination starts from, so the same person always hashes the same way:
 *
 * - e-mail: lower-cased (the raw text is already trimmed); full-width ＠ and ． (Japanese input
 *   methods) become ASCII. Provider-specific rules, such as Google's removal of dots in Gmail
 *   addresses, are not applied here: they belong to the destination that documents them.
 * - phone: E.164 (`+819012345678`). Full-width digits and Japanese dashes are read; a number
 *   without a country code is Japanese when it starts with its trunk 0 (090-1234-5678,
 *   03-1234-5678); `+81 (0)90…`, `+81 090…`, `010 81 …` and `00 81 …` are understood.
 */
import type { ContactFormat } from '../schema/index.ts';

interface ContactSql {
  value: string;
  error: string;
}

const FULL_WIDTH = "'０１２３４５６７８９＋－（）　ー‐−–—＠．'";
const HALF_WIDTH = "'0123456789+-() -----@.'";

function emailSql(r: string, v: string, quoted: string): ContactSql {
  return {
    value: `lower(translate(${r}, ${FULL_WIDTH}, ${HALF_WIDTH}))`,
    error: `CASE WHEN length(${v}) > 254 THEN ${quoted} || ' is longer than an e-mail address can be (254 characters)'
                 WHEN regexp_matches(${v}, '[^\\x00-\\x7f]') THEN ${quoted} || ' has characters outside ASCII: write the address in half-width letters'
                 WHEN NOT regexp_full_match(${v}, '[^@\\s]+@[^@\\s.]+(\\.[^@\\s.]+)+')
                 THEN ${quoted} || ' is not an e-mail address (expected name@domain.tld)' END`,
  };
}

function phoneSql(r: string, v: string, quoted: string): ContactSql {
  // Digits after dropping "(0)", the trunk zero some write after a country code.
  const text = `replace(translate(${r}, ${FULL_WIDTH}, ${HALF_WIDTH}), '(0)', '')`;
  const digits = `regexp_replace(${text}, '[^0-9]', '', 'g')`;
  const plus = `starts_with(ltrim(${text}), '+')`;
  const international = `CASE WHEN starts_with(${digits}, '810') THEN '81' || substr(${digits}, 4) ELSE ${digits} END`;
  const value = `CASE
      WHEN ${plus} THEN '+' || ${international}
      WHEN starts_with(${digits}, '010') THEN '+' || substr(${digits}, 4)
      WHEN starts_with(${digits}, '00') THEN '+' || substr(${digits}, 3)
      WHEN starts_with(${digits}, '0') THEN '+81' || substr(${digits}, 2)
    END`;
  return {
    value,
    error: `CASE
      WHEN ${v} IS NULL THEN ${quoted} || ' is not a phone number: give a country code (+81 90-1234-5678) or a Japanese number with its leading 0 (090-1234-5678)'
      WHEN NOT regexp_full_match(${v}, '\\+[1-9][0-9]{7,14}') THEN ${quoted} || ' is not a phone number: E.164 allows 8 to 15 digits after the +'
      WHEN starts_with(${v}, '+81') AND length(${v}) NOT BETWEEN 12 AND 13 THEN ${quoted} || ' is not a Japanese phone number: 0 and 9 or 10 digits (e.g. 03-1234-5678, 090-1234-5678)'
    END`,
  };
}

/**
 * Value and error SQL for one contact column whose trimmed, non-empty raw text is `r` and parsed
 * value `v`; `quoted` is the raw text quoted for messages.
 */
export function contactColumnSql(format: ContactFormat, r: string, v: string, quoted: string): ContactSql {
  return format === 'email' ? emailSql(r, v, quoted) : phoneSql(r, v, quoted);
}
