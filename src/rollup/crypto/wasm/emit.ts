/**
 * A minimal WebAssembly binary writer: enough to emit straight-line i64 arithmetic kernels from TypeScript at load
 * time, so the repository holds the generator (readable source) and never a binary blob. Only the opcodes the field
 * kernels use are named; the format is the WebAssembly core specification, §5 (binary format).
 */

export const I32 = 0x7f;
export const I64 = 0x7e;
export const V128 = 0x7b;
type ValType = typeof I32 | typeof I64 | typeof V128;

export const OP = {
  loop: 0x03,
  end: 0x0b,
  brIf: 0x0d,
  call: 0x10,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i64Load: 0x29,
  i64Load32U: 0x35,
  i64Store32: 0x3e,
  i32Const: 0x41,
  i64Const: 0x42,
  i32Ne: 0x47,
  i32Add: 0x6a,
  i64Eqz: 0x50,
  i64Add: 0x7c,
  i64Sub: 0x7d,
  i64Mul: 0x7e,
  i64And: 0x83,
  i64Or: 0x84,
  i64Shl: 0x86,
  i64ShrS: 0x87,
  i64ShrU: 0x88,
} as const;

/**
 * SIMD opcodes (fixed-width SIMD, core specification §5.4.8): each is written as the prefix 0xFD followed by the
 * opcode in unsigned LEB128. Loads and stores take a memarg; lane accesses and shuffles also take lane immediates.
 */
export const SIMD = {
  v128Const: 0x0c,
  i8x16Shuffle: 0x0d,
  v128And: 0x4e,
  v128Bitselect: 0x52,
  v128Store64Lane: 0x5b,
  v128Load64Zero: 0x5d,
  i32x4ShrS: 0xac,
  i32x4ShrU: 0xad,
  i32x4Add: 0xae,
  i32x4Sub: 0xb1,
  i32x4Mul: 0xb5,
  i64x2ShrU: 0xcd,
  i64x2Add: 0xce,
  i64x2ExtmulLowI32x4U: 0xde,
} as const;
type SimdOp = (typeof SIMD)[keyof typeof SIMD];

export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

export function sleb(value: bigint): number[] {
  const out: number[] = [];
  let v = value;
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const signClear = (byte & 0x40) === 0;
    if ((v === 0n && signClear) || (v === -1n && !signClear)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** Function body under construction: a flat list of bytes plus typed local declarations. */
export class Body {
  readonly code: number[] = [];
  private readonly extra: ValType[] = [];
  constructor(readonly params: readonly ValType[]) {}

  local(type: ValType): number {
    this.extra.push(type);
    return this.params.length + this.extra.length - 1;
  }

  op(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b);
    return this;
  }
  get(i: number): this {
    return this.op(OP.localGet, ...uleb(i));
  }
  set(i: number): this {
    return this.op(OP.localSet, ...uleb(i));
  }
  tee(i: number): this {
    return this.op(OP.localTee, ...uleb(i));
  }
  i32(v: number): this {
    return this.op(OP.i32Const, ...sleb(BigInt(v | 0)));
  }
  i64(v: bigint): this {
    return this.op(OP.i64Const, ...sleb(BigInt.asIntN(64, v)));
  }
  /** i64.load32_u at pointer-local + offset (alignment 4). */
  load32(ptr: number, offset: number): this {
    return this.get(ptr).op(OP.i64Load32U, 2, ...uleb(offset));
  }
  /** i64.store32 of the value in `value` at pointer-local + offset. */
  store32(ptr: number, offset: number, value: number): this {
    return this.get(ptr)
      .get(value)
      .op(OP.i64Store32, 2, ...uleb(offset));
  }
  /** A SIMD instruction with its immediates (memarg or lane bytes). */
  simd(op: SimdOp, ...immediates: number[]): this {
    return this.op(0xfd, ...uleb(op), ...immediates);
  }
  /** A SIMD load or store at pointer-local + offset; `align` is log2 of the access's natural alignment. */
  simdMem(op: SimdOp, ptr: number, offset: number, align: number): this {
    return this.get(ptr).simd(op, align, ...uleb(offset));
  }
  /** v128.const with four 32-bit lanes. */
  v128x4(lanes: readonly [number, number, number, number]): this {
    const bytes: number[] = [];
    for (const l of lanes) bytes.push(l & 0xff, (l >>> 8) & 0xff, (l >>> 16) & 0xff, (l >>> 24) & 0xff);
    return this.simd(SIMD.v128Const, ...bytes);
  }
  /**
   * A counted loop: `body` runs once for each value of the i32 local `ptr` from its current value, stepping by
   * `step` until it equals `end` (at least once). Blocks have no result (block type 0x40).
   */
  loopPointer(ptr: number, step: number, end: number, body: () => void): this {
    this.op(OP.loop, 0x40);
    body();
    this.get(ptr).i32(step).op(OP.i32Add).tee(ptr).i32(end).op(OP.i32Ne, OP.brIf, 0);
    return this.op(OP.end);
  }
  /** Calls `fn` with i32 arguments: a constant, or [local, offset] for a pointer parameter plus an offset. */
  call(fn: number, ...args: (number | readonly [number, number])[]): this {
    for (const a of args) {
      if (typeof a === 'number') this.i32(a);
      else {
        this.get(a[0]);
        if (a[1] !== 0) this.i32(a[1]).op(OP.i32Add);
      }
    }
    return this.op(OP.call, ...uleb(fn));
  }

  encode(): number[] {
    const groups: [number, ValType][] = [];
    for (const t of this.extra) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const decl = [...uleb(groups.length), ...groups.flatMap(([n, t]) => [...uleb(n), t])];
    const all = [...decl, ...this.code, OP.end];
    return [...uleb(all.length), ...all];
  }
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

/**
 * A module of functions with i32 parameters and no results, one exported memory of `pages` 64 KiB pages, and the
 * listed functions exported by name. Function i of `bodies` has index i.
 */
export function buildModule(
  bodies: readonly Body[],
  exportsByIndex: ReadonlyMap<number, string>,
  pages: number,
): Uint8Array {
  // One type per distinct parameter list.
  const typeKeys: string[] = [];
  const typeOf = bodies.map((b) => {
    const key = b.params.join(',');
    let at = typeKeys.indexOf(key);
    if (at < 0) at = typeKeys.push(key) - 1;
    return at;
  });
  const types = typeKeys.map((k) => {
    const params = k === '' ? [] : k.split(',').map(Number);
    return [0x60, ...uleb(params.length), ...params, 0];
  });
  const exps: number[][] = [[...name('memory'), 0x02, 0]];
  for (const [index, n] of exportsByIndex) exps.push([...name(n), 0x00, ...uleb(index)]);
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(1, vec(types)),
    ...section(3, vec(typeOf.map((t) => uleb(t)))),
    ...section(5, vec([[0x00, ...uleb(pages)]])),
    ...section(7, vec(exps)),
    ...section(10, vec(bodies.map((b) => b.encode()))),
  ];
  return Uint8Array.from(bytes);
}

type WasmMemory = { buffer: ArrayBuffer };
/** The slice of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
type WasmApi = {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
};

/** Compiles and instantiates synchronously (kernels are small); returns the memory and the exported functions. */
export function instantiate(bytes: Uint8Array): { memory: WasmMemory; fn: (name: string) => (...a: number[]) => void } {
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const { exports } = new wasm.Instance(new wasm.Module(bytes));
  return {
    memory: exports['memory'] as WasmMemory,
    fn: (name) => {
      const f = exports[name];
      if (typeof f !== 'function') throw new Error(`wasm export ${name} is missing`);
      return f as (...a: number[]) => void;
    },
  };
}
