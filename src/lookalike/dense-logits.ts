import type { DenseLayer } from './kernel.ts';

/** Dense forward pass in plain TS for validation rows (the same arithmetic as the kernel). */
export function denseLogits(
  layers: readonly DenseLayer[],
  x: Float32Array,
  n: number,
  d: number,
): Float32Array {
  const out = new Float32Array(n);
  let a = new Float32Array(0);
  for (let r = 0; r < n; r++) {
    let input = x.subarray(r * d, (r + 1) * d);
    for (const layer of layers) {
      a = new Float32Array(layer.bias);
      for (let i = 0; i < layer.inputs; i++) {
        const v = input[i]!;
        if (v === 0) continue;
        const base = i * layer.units;
        for (let j = 0; j < layer.units; j++) a[j] = a[j]! + v * layer.weights[base + j]!;
      }
      if (layer.activation === 'relu') for (let j = 0; j < a.length; j++) if (a[j]! < 0) a[j] = 0;
      input = a;
    }
    out[r] = a[0]!;
  }
  return out;
}
