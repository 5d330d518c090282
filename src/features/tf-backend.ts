import * as tf from '@tensorflow/tfjs';

export type TfBackend = 'tensorflow' | 'wasm' | 'cpu';

let ready: Promise<TfBackend> | null = null;

/**
 * The folder (a path ending in `/`) of a package's resolved entry file. `import.meta.resolve`
 * instead of `createRequire`, so this module needs no Node built-in; the `.wasm` files sit beside
 * the Node entry in `dist/`. Only called when the wasm backend is chosen, never in a Worker.
 */
function packageFolder(specifier: string): string {
  return decodeURIComponent(new URL('.', import.meta.resolve(specifier)).pathname);
}

/**
 * Selects the fastest TensorFlow.js backend available, once per process: tfjs-node (native
 * libtensorflow) when installed, else the WASM backend (SIMD, loads its .wasm offline from the
 * package), else the pure-JS cpu backend. Returns the backend in use.
 *
 * `prefer` forces a backend (tests pin `cpu` or `wasm` for determinism across machines).
 */
export function initTf(prefer?: TfBackend): Promise<TfBackend> {
  if (ready && !prefer) return ready;
  ready = (async () => {
    const order: TfBackend[] = prefer ? [prefer] : ['tensorflow', 'wasm', 'cpu'];
    for (const backend of order) {
      try {
        if (backend === 'tensorflow') {
          // Optional dependency: absent on machines that cannot download libtensorflow.
          const name = '@tensorflow/tfjs-node';
          await import(/* @vite-ignore */ name);
        } else if (backend === 'wasm') {
          const wasm = await import('@tensorflow/tfjs-backend-wasm');
          wasm.setWasmPaths(packageFolder('@tensorflow/tfjs-backend-wasm'));
        }
        if (await tf.setBackend(backend)) {
          await tf.ready();
          return backend;
        }
      } catch {
        // Try the next backend.
      }
    }
    throw new Error('no TensorFlow.js backend could be initialised (tried tensorflow, wasm, cpu)');
  })();
  return ready;
}

export { tf };
