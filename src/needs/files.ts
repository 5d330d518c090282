/**
 * The file port of the needs layer: theme files, labelled corpora and model artifacts are read
 * and published through it, so the domain runs wherever an implementation exists (Node's is
 * `nodeNeedFiles` in `src/adapters`; tests may bring an in-memory one). Paths are plain strings
 * joined with `/`.
 */
export interface NeedFiles {
  /** File names in a folder, sorted; [] when the folder does not exist. */
  list(dir: string): string[];
  /** A file's bytes, or null when it does not exist. */
  read(path: string): Uint8Array | null;
  /**
   * Writes the files of a folder as one unit: a reader sees the old folder or the new one, never
   * a mix, and a failed write leaves the old one in place.
   */
  publish(dir: string, files: Readonly<Record<string, Uint8Array | string>>): Promise<void>;
  /** SHA-256 of the bytes (or UTF-8 text), as lower-case hex: fingerprints and artifact hashes. */
  sha256(data: Uint8Array | string): string;
}

/** Joins path parts with one `/` between them. */
export function joinPath(...parts: string[]): string {
  return parts
    .filter((p) => p !== '')
    .map((p, i) => (i === 0 ? p.replace(/\/+$/, '') : p.replace(/^\/+|\/+$/g, '')))
    .join('/');
}

const decoder = new TextDecoder();

/** A file as UTF-8 text, or null when it does not exist. */
export function readText(files: NeedFiles, path: string): string | null {
  const bytes = files.read(path);
  return bytes === null ? null : decoder.decode(bytes);
}

let fallback: NeedFiles | null = null;

/**
 * Names the runtime's file port for callers that cannot be handed one (the need mix of an
 * audience, reached through the audience layer's options). Node's adapter registers itself when
 * `src/adapters` is loaded; every other caller passes its port explicitly.
 */
export function setDefaultNeedFiles(files: NeedFiles): void {
  fallback = files;
}

/**
 * The runtime's registered file port.
 *
 * @throws Error when no runtime registered one (e.g. in a Worker, where the needs layer has no files)
 */
export function defaultNeedFiles(): NeedFiles {
  if (!fallback) throw new Error('no need data in this runtime: no NeedFiles port was registered');
  return fallback;
}
