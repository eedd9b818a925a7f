pragma circom 2.1.0;

// The Keel batch circuit: N operation slots over a 4-ary state tree of D index bits (D/2 levels) and a withdrawal tree
// of depth WD, exactly as docs/protocol.md defines them. Every slot has the same shape; a slot's type flags decide which
// parts take effect.

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/poseidon.circom";
include "lib/eddsa.circom";
include "lib/range.circom";
include "lib/merkle.circom";
include "lib/withdrawal_tree.circom";

// leaf = H[3](Ax, Ay, balance + 2^64 nonce) (§3). Callers range-check balance < 2^63 and nonce < 2^32, which makes the
// packing injective.
template AccountLeaf() {
    signal input ax;
    signal input ay;
    signal input balance;
    signal input nonce;
    signal output out;
    component h = Poseidon(3);
    h.inputs[0] <== ax;
    h.inputs[1] <== ay;
    h.inputs[2] <== balance + 18446744073709551616 * nonce;
    out <== h.out;
}

// (0, 0) is the empty account's key and is not a curve point (§3).
template IsEmptyKey() {
    signal input ax;
    signal input ay;
    signal output out;
    component zx = IsZero();
    zx.in <== ax;
    component zy = IsZero();
    zy.in <== ay;
    out <== zx.out * zy.out;
}

template Slot(D) {
    // The 4-ary state tree takes two index bits per level and has three siblings per level (§3).
    assert(D % 2 == 0);
    var SIBLINGS = 3 * (D \ 2);

    // Running state in.
    signal input rootIn;
    signal input queueIn;
    signal input digestIn;
    signal input chainId;

    // Type flags (all zero: no-op padding).
    signal input isTransfer;
    signal input isWithdraw;
    signal input isDeposit;
    signal input isForcedExit;

    // Account A: the sender, the withdrawer, the deposit target or the forced-exit account.
    signal input aIndex;
    signal input aAx;
    signal input aAy;
    signal input aBalance;
    signal input aNonce;
    signal input aSiblings[SIBLINGS];
    // Account B: the transfer's receiver (left unchanged by every other type).
    signal input bIndex;
    signal input bAx;
    signal input bAy;
    signal input bBalance;
    signal input bNonce;
    signal input bSiblings[SIBLINGS];

    // Payload; fields a type does not use are zero.
    signal input amount;
    signal input fee;
    signal input keyX;
    signal input keyY;
    signal input itemAccount;
    signal input itemNonce;
    signal input scriptLen;
    signal input w0;
    signal input w1;
    signal input txidHi;
    signal input txidLo;
    signal input vout;
    signal input l1Height;
    signal input r8x;
    signal input r8y;
    signal input s;

    signal output rootOut;
    signal output queueOut;
    signal output digestOut;
    signal output consumed;
    signal output feeOut;
    signal output hasWithdrawal;
    signal output withdrawalLeaf;

    // ---- types -------------------------------------------------------------------------------------------------
    isTransfer * (isTransfer - 1) === 0;
    isWithdraw * (isWithdraw - 1) === 0;
    isDeposit * (isDeposit - 1) === 0;
    isForcedExit * (isForcedExit - 1) === 0;
    signal active <== isTransfer + isWithdraw + isDeposit + isForcedExit;
    active * (active - 1) === 0;
    signal signedByUser <== isTransfer + isWithdraw;

    // ---- ranges (these also make every packed value below injective) -------------------------------------------
    component aBits = Num2Bits(D);
    aBits.in <== aIndex;
    component bBits = Num2Bits(D);
    bBits.in <== bIndex;
    component amountRange = RangeCheck(63);
    amountRange.in <== amount;
    component feeRange = RangeCheck(63);
    feeRange.in <== fee;
    component aBalanceRange = RangeCheck(63);
    aBalanceRange.in <== aBalance;
    component aNonceRange = RangeCheck(32);
    aNonceRange.in <== aNonce;
    component bBalanceRange = RangeCheck(63);
    bBalanceRange.in <== bBalance;
    component bNonceRange = RangeCheck(32);
    bNonceRange.in <== bNonce;
    component voutRange = RangeCheck(32);
    voutRange.in <== vout;
    component heightRange = RangeCheck(32);
    heightRange.in <== l1Height;
    component itemNonceRange = RangeCheck(32);
    itemNonceRange.in <== itemNonce;
    // itemAccount = low + 2^D high, both range-checked: high = 0 iff the named account can exist in the tree.
    signal itemAccountLow <-- itemAccount % (1 << D);
    signal itemAccountHigh <-- itemAccount \ (1 << D);
    component itemAccountLowRange = RangeCheck(D);
    itemAccountLowRange.in <== itemAccountLow;
    component itemAccountHighRange = RangeCheck(32 - D);
    itemAccountHighRange.in <== itemAccountHigh;
    itemAccountLow + (1 << D) * itemAccountHigh === itemAccount;
    component lenRange = RangeCheck(6);
    lenRange.in <== scriptLen;

    // ---- accounts ----------------------------------------------------------------------------------------------
    component aEmpty = IsEmptyKey();
    aEmpty.ax <== aAx;
    aEmpty.ay <== aAy;
    component bEmpty = IsEmptyKey();
    bEmpty.ax <== bAx;
    bEmpty.ay <== bAy;

    // Transfers need a live receiver other than the sender (§4.2).
    isTransfer * bEmpty.out === 0;
    component sameAccount = IsEqual();
    sameAccount.in[0] <== aIndex;
    sameAccount.in[1] <== bIndex;
    isTransfer * sameAccount.out === 0;

    // Withdrawals and deposits move at least one satoshi; a withdrawal script is 1..42 bytes (§4.3, §4.4).
    component amountZero = IsZero();
    amountZero.in <== amount;
    (isWithdraw + isDeposit) * amountZero.out === 0;
    component lenZero = IsZero();
    lenZero.in <== scriptLen;
    isWithdraw * lenZero.out === 0;
    component lenOk = LessThan(6);
    lenOk.in[0] <== scriptLen;
    lenOk.in[1] <== 43;
    isWithdraw * (1 - lenOk.out) === 0;

    // A deposit lands on an empty leaf or on a leaf with the same key (§5.3).
    signal depositToLive <== isDeposit * (1 - aEmpty.out);
    depositToLive * (aAx - keyX) === 0;
    depositToLive * (aAy - keyY) === 0;

    // ---- signature -----------------------------------------------------------------------------------------------
    var P4 = 16;
    var P20 = 1048576;
    var P52 = 4503599627370496;
    var P84 = 19342813113834066795298816;
    var P100 = 1267650600228229401496703205376;
    var P116 = 83076749736557242056487941267521536;
    var P132 = 5444517870735015415413993718908291383296;
    var P148 = 356811923176489970264571492362373784095686656;
    var P180 = 1532495540865888858358347027150309183618739122183602176;
    var P212 = 6582018229284824168619876730229402019930943462534319453394436096;
    var P36 = 68719476736;
    var P64 = 18446744073709551616;
    var P68 = 295147905179352825856;
    var P164 = 23384026197294446691258957323460528314494920687616;

    signal transferMsg <== 1 + P4 * chainId + P20 * aIndex + P52 * bIndex + P84 * aNonce + P116 * amount + P180 * fee;
    signal withdrawHead <== isWithdraw * (2 + P4 * chainId + P20 * aIndex + P52 * aNonce + P84 * amount + P148 * fee + P212 * scriptLen);
    signal exitHead <== isForcedExit * (3 + P4 * chainId + P20 * itemAccount + P52 * itemNonce + P84 * scriptLen);
    component scriptMsg = Poseidon(3);
    scriptMsg.inputs[0] <== withdrawHead + exitHead;
    scriptMsg.inputs[1] <== w0;
    scriptMsg.inputs[2] <== w1;
    signal msgT <== isTransfer * transferMsg;
    signal msgS <== (isWithdraw + isForcedExit) * scriptMsg.out;

    component sig = EdDSAPoseidonValid();
    sig.Ax <== aAx;
    sig.Ay <== aAy;
    sig.S <== s;
    sig.R8x <== r8x;
    sig.R8y <== r8y;
    sig.M <== msgT + msgS;
    signedByUser * (1 - sig.valid) === 0;

    // ---- forced exit verdict (§5.3) -------------------------------------------------------------------------------
    // The item names an account; if it exists in the tree (index < 2^D), A must be that very account, so a prover
    // cannot dodge an exit by pointing at another leaf.
    component inTree = IsZero();
    inTree.in <== itemAccountHigh;
    component namesA = IsEqual();
    namesA.in[0] <== itemAccount;
    namesA.in[1] <== aIndex;
    signal exitInTree <== isForcedExit * inTree.out;
    exitInTree * (1 - namesA.out) === 0;
    component nonceMatches = IsEqual();
    nonceMatches.in[0] <== itemNonce;
    nonceMatches.in[1] <== aNonce;
    component nonceAtMax = IsEqual();
    nonceAtMax.in[0] <== aNonce;
    nonceAtMax.in[1] <== 4294967295;
    signal f1 <== isForcedExit * namesA.out;
    signal f2 <== f1 * (1 - aEmpty.out);
    signal f3 <== f2 * nonceMatches.out;
    signal f4 <== f3 * (1 - nonceAtMax.out);
    signal applied <== f4 * sig.valid;

    // ---- account A update ----------------------------------------------------------------------------------------
    signal debit <== signedByUser * (amount + fee);
    signal credit <== isDeposit * amount;
    signal exitDebit <== applied * aBalance;
    signal newABalance <== aBalance - debit + credit - exitDebit;
    // An overspend or an overflow wraps around the field and fails here.
    component newABalanceRange = RangeCheck(63);
    newABalanceRange.in <== newABalance;
    // aNonce < 2^32 is range-checked and the nonce moves only by signedByUser or applied (at most one is 1, both
    // exclude 2^32 - 1), so newANonce < 2^32 without a second range check.
    signedByUser * nonceAtMax.out === 0;
    signal newANonce <== aNonce + signedByUser + applied;
    signal newAAx <== aAx + isDeposit * (keyX - aAx);
    signal newAAy <== aAy + isDeposit * (keyY - aAy);

    component aOld = AccountLeaf();
    aOld.ax <== aAx;
    aOld.ay <== aAy;
    aOld.balance <== aBalance;
    aOld.nonce <== aNonce;
    component aNew = AccountLeaf();
    aNew.ax <== newAAx;
    aNew.ay <== newAAy;
    aNew.balance <== newABalance;
    aNew.nonce <== newANonce;
    component aUpdate = MerkleUpdate(D);
    aUpdate.oldRoot <== rootIn;
    aUpdate.oldLeaf <== aOld.out;
    aUpdate.newLeaf <== aNew.out;
    aUpdate.siblings <== aSiblings;
    aUpdate.bits <== aBits.out;

    // ---- account B update (the receiver; the identity for other types) ----------------------------------------------
    signal received <== isTransfer * amount;
    signal newBBalance <== bBalance + received;
    component newBBalanceRange = RangeCheck(63);
    newBBalanceRange.in <== newBBalance;
    component bOld = AccountLeaf();
    bOld.ax <== bAx;
    bOld.ay <== bAy;
    bOld.balance <== bBalance;
    bOld.nonce <== bNonce;
    component bNew = AccountLeaf();
    bNew.ax <== bAx;
    bNew.ay <== bAy;
    bNew.balance <== newBBalance;
    bNew.nonce <== bNonce;
    component bUpdate = MerkleUpdate(D);
    bUpdate.oldRoot <== aUpdate.newRoot;
    bUpdate.oldLeaf <== bOld.out;
    bUpdate.newLeaf <== bNew.out;
    bUpdate.siblings <== bSiblings;
    bUpdate.bits <== bBits.out;
    rootOut <== bUpdate.newRoot;

    // ---- L1 queue (§5.1) ---------------------------------------------------------------------------------------------
    component depositItem = Poseidon(5);
    depositItem.inputs[0] <== 1 + P4 * vout + P36 * l1Height + P68 * amount;
    depositItem.inputs[1] <== txidHi;
    depositItem.inputs[2] <== txidLo;
    depositItem.inputs[3] <== keyX;
    depositItem.inputs[4] <== keyY;
    component exitItem = Poseidon(8);
    exitItem.inputs[0] <== 2 + P4 * vout + P36 * l1Height + P68 * itemAccount + P100 * itemNonce + 5444517870735015415413993718908291383296 * scriptLen;
    exitItem.inputs[1] <== txidHi;
    exitItem.inputs[2] <== txidLo;
    exitItem.inputs[3] <== w0;
    exitItem.inputs[4] <== w1;
    exitItem.inputs[5] <== r8x;
    exitItem.inputs[6] <== r8y;
    exitItem.inputs[7] <== s;
    signal qD <== isDeposit * depositItem.out;
    signal qF <== isForcedExit * exitItem.out;
    consumed <== isDeposit + isForcedExit;
    component chain = Poseidon(2);
    chain.inputs[0] <== queueIn;
    chain.inputs[1] <== qD + qF;
    queueOut <== queueIn + consumed * (chain.out - queueIn);

    // ---- withdrawal leaf (§6) ------------------------------------------------------------------------------------------
    hasWithdrawal <== isWithdraw + applied;
    signal withdrawnAmount <== isWithdraw * amount;
    signal lenTerm <== hasWithdrawal * scriptLen;
    component wLeaf = Poseidon(3);
    wLeaf.inputs[0] <== w0;
    wLeaf.inputs[1] <== w1;
    wLeaf.inputs[2] <== withdrawnAmount + exitDebit + P64 * lenTerm;
    withdrawalLeaf <== wLeaf.out;

    // ---- data digest (§7.2) ---------------------------------------------------------------------------------------------
    signal eT <== isTransfer * (1 + P4 * aIndex + P36 * bIndex + P68 * amount + P132 * fee);
    signal eW <== isWithdraw * (2 + P4 * aIndex + P36 * amount + P100 * fee + P164 * scriptLen);
    signal eD <== isDeposit * (3 + P4 * aIndex);
    signal e1 <== isWithdraw * w0;
    signal e2 <== isWithdraw * w1;
    component digest = Poseidon(4);
    digest.inputs[0] <== digestIn;
    digest.inputs[1] <== eT + eW + eD + 4 * isForcedExit + P4 * applied;
    digest.inputs[2] <== e1;
    digest.inputs[3] <== e2;
    digestOut <== digestIn + active * (digest.out - digestIn);

    feeOut <== signedByUser * fee;
}

template Batch(N, D, WD) {
    assert(D % 2 == 0);
    var SIBLINGS = 3 * (D \ 2);

    signal input oldRoot;
    signal input batchNumber;
    signal input chainId;
    signal input queueStart;
    signal input queueStartHash;

    signal input isTransfer[N];
    signal input isWithdraw[N];
    signal input isDeposit[N];
    signal input isForcedExit[N];
    signal input aIndex[N];
    signal input aAx[N];
    signal input aAy[N];
    signal input aBalance[N];
    signal input aNonce[N];
    signal input aSiblings[N][SIBLINGS];
    signal input bIndex[N];
    signal input bAx[N];
    signal input bAy[N];
    signal input bBalance[N];
    signal input bNonce[N];
    signal input bSiblings[N][SIBLINGS];
    signal input amount[N];
    signal input fee[N];
    signal input keyX[N];
    signal input keyY[N];
    signal input itemAccount[N];
    signal input itemNonce[N];
    signal input scriptLen[N];
    signal input w0[N];
    signal input w1[N];
    signal input txidHi[N];
    signal input txidLo[N];
    signal input vout[N];
    signal input l1Height[N];
    signal input r8x[N];
    signal input r8y[N];
    signal input s[N];

    // The fee account (index 0) before the fee credit that closes the batch (§7).
    signal input feeAx;
    signal input feeAy;
    signal input feeBalance;
    signal input feeNonce;
    signal input feeSiblings[SIBLINGS];

    signal output publicInput;

    component chainIdRange = RangeCheck(16);
    chainIdRange.in <== chainId;
    component batchRange = RangeCheck(64);
    batchRange.in <== batchNumber;
    component queueStartRange = RangeCheck(64);
    queueStartRange.in <== queueStart;

    component slot[N];
    signal root[N + 1];
    signal queue[N + 1];
    signal digest[N + 1];
    root[0] <== oldRoot;
    queue[0] <== queueStartHash;
    digest[0] <== 0;
    var consumedTotal = 0;
    var fees = 0;
    for (var j = 0; j < N; j++) {
        slot[j] = Slot(D);
        slot[j].rootIn <== root[j];
        slot[j].queueIn <== queue[j];
        slot[j].digestIn <== digest[j];
        slot[j].chainId <== chainId;
        slot[j].isTransfer <== isTransfer[j];
        slot[j].isWithdraw <== isWithdraw[j];
        slot[j].isDeposit <== isDeposit[j];
        slot[j].isForcedExit <== isForcedExit[j];
        slot[j].aIndex <== aIndex[j];
        slot[j].aAx <== aAx[j];
        slot[j].aAy <== aAy[j];
        slot[j].aBalance <== aBalance[j];
        slot[j].aNonce <== aNonce[j];
        slot[j].aSiblings <== aSiblings[j];
        slot[j].bIndex <== bIndex[j];
        slot[j].bAx <== bAx[j];
        slot[j].bAy <== bAy[j];
        slot[j].bBalance <== bBalance[j];
        slot[j].bNonce <== bNonce[j];
        slot[j].bSiblings <== bSiblings[j];
        slot[j].amount <== amount[j];
        slot[j].fee <== fee[j];
        slot[j].keyX <== keyX[j];
        slot[j].keyY <== keyY[j];
        slot[j].itemAccount <== itemAccount[j];
        slot[j].itemNonce <== itemNonce[j];
        slot[j].scriptLen <== scriptLen[j];
        slot[j].w0 <== w0[j];
        slot[j].w1 <== w1[j];
        slot[j].txidHi <== txidHi[j];
        slot[j].txidLo <== txidLo[j];
        slot[j].vout <== vout[j];
        slot[j].l1Height <== l1Height[j];
        slot[j].r8x <== r8x[j];
        slot[j].r8y <== r8y[j];
        slot[j].s <== s[j];
        root[j + 1] <== slot[j].rootOut;
        queue[j + 1] <== slot[j].queueOut;
        digest[j + 1] <== slot[j].digestOut;
        consumedTotal += slot[j].consumed;
        fees += slot[j].feeOut;
    }

    // ---- fee credit: balance(0) += batch fees ---------------------------------------------------------------------------
    component feeBalanceRange = RangeCheck(63);
    feeBalanceRange.in <== feeBalance;
    component feeNonceRange = RangeCheck(32);
    feeNonceRange.in <== feeNonce;
    signal newFeeBalance <== feeBalance + fees;
    component newFeeBalanceRange = RangeCheck(63);
    newFeeBalanceRange.in <== newFeeBalance;
    component feeOld = AccountLeaf();
    feeOld.ax <== feeAx;
    feeOld.ay <== feeAy;
    feeOld.balance <== feeBalance;
    feeOld.nonce <== feeNonce;
    component feeNew = AccountLeaf();
    feeNew.ax <== feeAx;
    feeNew.ay <== feeAy;
    feeNew.balance <== newFeeBalance;
    feeNew.nonce <== feeNonce;
    component feeUpdate = MerkleUpdate(D);
    feeUpdate.oldRoot <== root[N];
    feeUpdate.oldLeaf <== feeOld.out;
    feeUpdate.newLeaf <== feeNew.out;
    feeUpdate.siblings <== feeSiblings;
    for (var k = 0; k < D; k++) feeUpdate.bits[k] <== 0;

    // ---- withdrawals --------------------------------------------------------------------------------------------------
    component withdrawals = WithdrawalRoot(N, WD);
    for (var j = 0; j < N; j++) {
        withdrawals.has[j] <== slot[j].hasWithdrawal;
        withdrawals.leaf[j] <== slot[j].withdrawalLeaf;
    }

    // ---- the one public input (§7.3) ------------------------------------------------------------------------------------
    signal queueEnd <== queueStart + consumedTotal;
    component queueEndRange = RangeCheck(64);
    queueEndRange.in <== queueEnd;
    component pi = Poseidon(7);
    pi.inputs[0] <== oldRoot;
    pi.inputs[1] <== feeUpdate.newRoot;
    pi.inputs[2] <== digest[N];
    pi.inputs[3] <== withdrawals.root;
    pi.inputs[4] <== queueStartHash;
    pi.inputs[5] <== queue[N];
    pi.inputs[6] <== batchNumber + P64() * queueStart + 340282366920938463463374607431768211456 * queueEnd + 6277101735386680763835789423207666416102355444464034512896 * chainId;
    publicInput <== pi.out;
}

function P64() {
    return 18446744073709551616;
}
