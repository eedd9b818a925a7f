pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/poseidon.circom";

// The four children of a 4-ary node: `node` at position p = bits[0] + 2·bits[1] among the three `others`, which keep
// their left-to-right order. `bits` must be constrained boolean by the caller. Five constraints: bits[0] picks within
// each half of the children, bits[1] picks the half, and the children are a permutation of the inputs, so two of
// them follow linearly from the sum.
template QuadPlace() {
    signal input node;
    signal input others[3];
    signal input bits[2];
    signal output children[4];

    // What child 1 is when the node sits in the left half (p = 0: others[0]; p = 1: node).
    signal lowPick <== others[0] + bits[0] * (node - others[0]);
    // What child 2 is when the node sits in the right half (p = 2: node; p = 3: others[2]).
    signal highPick <== node + bits[0] * (others[2] - node);
    children[1] <== lowPick + bits[1] * (others[1] - lowPick);
    children[2] <== others[1] + bits[1] * (highPick - others[1]);
    // children[0] + children[1] is node + others[0] in the left half and others[0] + others[1] in the right one.
    signal halfShift <== bits[1] * (others[1] - node);
    children[0] <== node + others[0] + halfShift - children[1];
    children[3] <== node + others[0] + others[1] + others[2] - children[0] - children[1] - children[2];
}

// Root of the 4-ary Poseidon state tree (docs/protocol.md §3) of `depth` index bits (even), so depth/2 levels. At
// level k the node on the path is child bits[2k] + 2·bits[2k+1] of its parent; siblings[3k..3k+2] are the parent's
// other three children, left to right. `bits` must be constrained boolean by the caller (it usually comes from
// Num2Bits of the index, which the caller needs anyway and shares between the old and the new path).
template MerkleRoot(depth) {
    assert(depth % 2 == 0);
    var levels = depth \ 2;
    signal input leaf;
    signal input siblings[3 * levels];
    signal input bits[depth];
    signal output root;

    component place[levels];
    component hash[levels];
    signal node[levels + 1];
    node[0] <== leaf;
    for (var k = 0; k < levels; k++) {
        place[k] = QuadPlace();
        place[k].node <== node[k];
        for (var c = 0; c < 3; c++) place[k].others[c] <== siblings[3 * k + c];
        place[k].bits[0] <== bits[2 * k];
        place[k].bits[1] <== bits[2 * k + 1];
        hash[k] = Poseidon(4);
        hash[k].inputs <== place[k].children;
        node[k + 1] <== hash[k].out;
    }
    root <== node[levels];
}

// One leaf replaced: `oldLeaf` must sit at `bits` under `oldRoot`; `newRoot` is the root with `newLeaf` in its place.
// Both paths share the siblings, which is what ties the new root to the old one.
template MerkleUpdate(depth) {
    var levels = depth \ 2;
    signal input oldRoot;
    signal input oldLeaf;
    signal input newLeaf;
    signal input siblings[3 * levels];
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
    var levels = depth \ 2;
    signal input oldRoot;
    signal input index;
    signal input oldLeaf;
    signal input newLeaf;
    signal input siblings[3 * levels];
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
