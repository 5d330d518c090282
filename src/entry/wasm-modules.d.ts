/** Workers bundle `.wasm` imports as compiled modules (wrangler's CompiledWasm rule). */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
