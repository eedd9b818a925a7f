import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LevelStore, MemoryStore, layout, prefixEnd, type KVStore } from '../../../src/bitcoin/index.ts';

const bytes = (...v: number[]) => Uint8Array.from(v);

async function collect(store: KVStore, prefix: Uint8Array): Promise<string[]> {
  const out: string[] = [];
  for await (const [k, v] of store.entries(prefix))
    out.push(`${Buffer.from(k).toString('hex')}=${Buffer.from(v).toString('hex')}`);
  return out;
}

describe('node storage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-store-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const backends: [string, () => Promise<KVStore>][] = [
    ['memory', async () => new MemoryStore()],
    ['LevelDB', () => LevelStore.open(join(dir, 'db'), { sync: false })],
  ];
  for (const [name, make] of backends) {
    it(`applies batches and iterates by prefix (${name})`, async () => {
      const store = await make();
      try {
        await store.write([
          { type: 'put', key: bytes(1, 2), value: bytes(9) },
          { type: 'put', key: bytes(1, 0xff), value: bytes(8) },
          { type: 'put', key: bytes(2), value: bytes(7) },
          { type: 'put', key: bytes(1, 1), value: bytes(6) },
        ]);
        assert.deepEqual(await collect(store, bytes(1)), ['0101=06', '0102=09', '01ff=08']);
        await store.write([
          { type: 'del', key: bytes(1, 2) },
          { type: 'put', key: bytes(1, 1), value: bytes(5) },
        ]);
        assert.deepEqual(await collect(store, bytes(1)), ['0101=05', '01ff=08']);
        assert.deepEqual(await store.get(bytes(2)), bytes(7));
        assert.equal(await store.get(bytes(3)), undefined);
        // Values handed out are plain copies: reversing one in place changes nothing stored.
        const v = (await store.get(bytes(2))) as Uint8Array;
        assert.equal(v.constructor, Uint8Array);
      } finally {
        await store.close();
      }
    });
  }

  it('computes prefix upper bounds', () => {
    assert.deepEqual(prefixEnd(bytes(1, 2)), bytes(1, 3));
    assert.deepEqual(prefixEnd(bytes(1, 0xff)), bytes(2));
    assert.equal(prefixEnd(bytes(0xff, 0xff)), undefined);
  });

  it('round-trips coins, undo data and index entries', () => {
    const coin = {
      value: 5_000_000_000n,
      script: bytes(0x51, 0x20, ...new Array(32).fill(7)),
      height: 1234,
      coinbase: true,
    };
    assert.deepEqual(layout.decodeCoin(layout.encodeCoin(coin)), coin);
    const undo = [coin, { ...coin, coinbase: false, height: 0, script: new Uint8Array() }];
    assert.deepEqual(layout.decodeUndo(layout.encodeUndo(undo)), undo);
    const entry = { header: new Uint8Array(80).fill(3), height: 77, status: 3, nTx: 12, sequence: 99 };
    assert.deepEqual(layout.decodeEntry(layout.encodeEntry(entry)), entry);
    const key = layout.coinKey(new Uint8Array(32).fill(1), 258);
    assert.equal(key[0], layout.PREFIX.coin);
    assert.deepEqual(key.subarray(33), bytes(0, 0, 1, 2));
  });
});
