pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/switcher.circom";

// Root of a binary Poseidon tree (docs/protocol.md §3): bit k of the index, least significant first, says whether the
// level-k node is a right child. `bits` must be constrained boolean by the caller (it usually comes from Num2Bits of
// the index, which the caller needs anyway and shares between the old and the new path).
template MerkleRoot(depth) {
    signal input leaf;
    signal input siblings[depth];
    signal input bits[depth];
    signal output root;

    component order[depth];
    component hash[depth];
    signal node[depth + 1];
    node[0] <== leaf;
    for (var k = 0; k < depth; k++) {
        order[k] = Switcher();
        order[k].sel <== bits[k];
        order[k].L <== node[k];
        order[k].R <== siblings[k];
        hash[k] = Poseidon(2);
        hash[k].inputs[0] <== order[k].outL;
        hash[k].inputs[1] <== order[k].outR;
        node[k + 1] <== hash[k].out;
    }
    root <== node[depth];
}

// One leaf replaced: `oldLeaf` must sit at `bits` under `oldRoot`; `newRoot` is the root with `newLeaf` in its place.
// Both paths share the siblings, which is what ties the new root to the old one.
template MerkleUpdate(depth) {
    signal input oldRoot;
    signal input oldLeaf;
    signal input newLeaf;
    signal input siblings[depth];
    signal input bits[depth];
    signal output newRoot;

    component before = MerkleRoot(depth);
    before.leaf <== oldLeaf;
    before.siblings <== siblings;
    before.bits <== bits;
    before.root === oldRoot;

    component after = MerkleRoot(depth);
    after.leaf <== newLeaf;
    after.siblings <== siblings;
    after.bits <== bits;
    newRoot <== after.root;
}

// Index given as a number: decomposes it (which also range-checks it below 2^depth) and updates.
template MerkleUpdateAt(depth) {
    signal input oldRoot;
    signal input index;
    signal input oldLeaf;
    signal input newLeaf;
    signal input siblings[depth];
    signal output newRoot;

    component bits = Num2Bits(depth);
    bits.in <== index;
    component update = MerkleUpdate(depth);
    update.oldRoot <== oldRoot;
    update.oldLeaf <== oldLeaf;
    update.newLeaf <== newLeaf;
    update.siblings <== siblings;
    update.bits <== bits.out;
    newRoot <== update.newRoot;
}
