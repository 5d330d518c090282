/**
 * A portable model from its stored files, without the artifact store: the Worker reads
 * `manifest.json`, `spec.json` and `weights.bin` from R2 and calls this. Pure TypeScript.
 */
import type { FeatureSpec } from './feature-spec.ts';
import type { Architecture, DenseLayer, PortableModel } from './kernel.ts';

/** The parts of a model manifest the kernel needs. */
export interface PortableManifest {
  architecture: Architecture;
  layers: readonly {
    inputs: number;
    units: number;
    activation: 'relu' | 'linear';
    weightsOffset: number;
    biasOffset: number;
  }[];
}

/** Little-endian Float32 values of a byte array (copied, so any alignment works). */
export function float32From(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

/**
 * Rebuilds a portable model from a manifest, its feature spec and the bytes of `weights.bin`.
 *
 * @example
 * const model = portableModelFromFiles(JSON.parse(manifestText), JSON.parse(specText), weightBytes);
 * scoreProfiles(model, [{ gender: 'female', interests: { baking: 9 } }]);
 */
export function portableModelFromFiles(
  manifest: PortableManifest,
  spec: FeatureSpec,
  weights: Uint8Array,
): PortableModel {
  const w = float32From(weights);
  const layers: DenseLayer[] = manifest.layers.map((l) => ({
    inputs: l.inputs,
    units: l.units,
    activation: l.activation,
    weights: w.slice(l.weightsOffset, l.weightsOffset + l.inputs * l.units),
    bias: w.slice(l.biasOffset, l.biasOffset + l.units),
  }));
  return { format: 'lookalike-portable/1', architecture: manifest.architecture, spec, layers };
}

/**
 * The inverse of `portableModelFromFiles`: each layer's weights then bias, packed into one
 * little-endian Float32 `weights.bin`, and the layout the manifest records.
 */
export function portableModelToFiles(model: PortableModel): {
  layers: PortableManifest['layers'][number][];
  weights: Uint8Array;
} {
  const layers: PortableManifest['layers'][number][] = [];
  let n = 0;
  for (const l of model.layers) {
    layers.push({
      inputs: l.inputs,
      units: l.units,
      activation: l.activation,
      weightsOffset: n,
      biasOffset: n + l.weights.length,
    });
    n += l.weights.length + l.bias.length;
  }
  const all = new Float32Array(n);
  for (const [i, l] of model.layers.entries()) {
    all.set(l.weights, layers[i]!.weightsOffset);
    all.set(l.bias, layers[i]!.biasOffset);
  }
  return { layers, weights: new Uint8Array(all.buffer) };
}
