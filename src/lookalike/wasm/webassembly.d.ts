/**
 * The part of the standard WebAssembly JavaScript API the scoring kernel uses. Node, worker
 * threads and workerd all provide it, but the project's `lib` (ES2023, no DOM) does not type it.
 */
declare namespace WebAssembly {
  // biome-ignore lint/suspicious/noEmptyInterface: an opaque handle, as lib.dom.d.ts declares it
  interface Module {}
  var Module: { prototype: Module; new (bytes: ArrayBufferView | ArrayBuffer): Module };
  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  var Memory: { prototype: Memory; new (descriptor: { initial: number; maximum?: number }): Memory };
  interface Instance {
    readonly exports: Record<string, unknown>;
  }
  var Instance: {
    prototype: Instance;
    new (module: Module, imports?: Record<string, Record<string, unknown>>): Instance;
  };
  function validate(bytes: ArrayBufferView | ArrayBuffer): boolean;
}
