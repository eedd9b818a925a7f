pragma circom 2.1.0;

include "circomlib/circuits/babyjub.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/compconstant.circom";
include "circomlib/circuits/escalarmulany.circom";
include "circomlib/circuits/escalarmulfix.circom";
include "circomlib/circuits/poseidon.circom";

// EdDSA-Poseidon as circomlib's EdDSAPoseidonVerifier defines it (docs/protocol.md §2), but with the verdict as an
// output bit instead of an assertion. A forced exit from L1 must be *rejected* in-circuit when its signature is bad, so
// the circuit has to be able to prove "invalid" too; every input must therefore keep the constraints satisfiable:
//  - S is decomposed with Num2Bits_strict (any field element), and S < l becomes a bit;
//  - R8 off the curve could make the addition's denominator vanish, so it is replaced by the identity (and the verdict
//    is 0) before adding.
// A (the account key) comes from the state tree, where it is a curve point or (0, 0).
template EdDSAPoseidonValid() {
    signal input Ax;
    signal input Ay;
    signal input S;
    signal input R8x;
    signal input R8y;
    signal input M;
    signal output valid;

    var a = 168700;
    var d = 168696;

    component sBits = Num2Bits_strict();
    sBits.in <== S;
    // CompConstant(c) is 1 iff S > c; c = l - 1.
    component sTooBig = CompConstant(2736030358979909402780800718157159386076813972158567259200215660948447373040);
    for (var i = 0; i < 254; i++) sTooBig.in[i] <== sBits.out[i];

    signal r8xx <== R8x * R8x;
    signal r8yy <== R8y * R8y;
    signal r8xxyy <== r8xx * r8yy;
    component r8OffCurve = IsZero();
    r8OffCurve.in <== a * r8xx + r8yy - 1 - d * r8xxyy;
    signal r8OnCurve <== r8OffCurve.out;
    signal safeR8x <== r8OnCurve * R8x;
    signal safeR8y <== r8OnCurve * (R8y - 1) + 1;

    component hash = Poseidon(5);
    hash.inputs[0] <== R8x;
    hash.inputs[1] <== R8y;
    hash.inputs[2] <== Ax;
    hash.inputs[3] <== Ay;
    hash.inputs[4] <== M;
    component hBits = Num2Bits_strict();
    hBits.in <== hash.out;

    // 8A: clears the cofactor, so the check is in the prime-order subgroup.
    component dbl1 = BabyDbl();
    dbl1.x <== Ax;
    dbl1.y <== Ay;
    component dbl2 = BabyDbl();
    dbl2.x <== dbl1.xout;
    dbl2.y <== dbl1.yout;
    component dbl3 = BabyDbl();
    dbl3.x <== dbl2.xout;
    dbl3.y <== dbl2.yout;
    component keyIsZero = IsZero();
    keyIsZero.in <== dbl3.xout;

    component hA = EscalarMulAny(254);
    for (var i = 0; i < 254; i++) hA.e[i] <== hBits.out[i];
    hA.p[0] <== dbl3.xout;
    hA.p[1] <== dbl3.yout;

    component right = BabyAdd();
    right.x1 <== safeR8x;
    right.y1 <== safeR8y;
    right.x2 <== hA.out[0];
    right.y2 <== hA.out[1];

    var BASE8[2] = [
        5299619240641551281634865583518297030282874472190772894086521144482721001553,
        16950150798460657717958625567821834550301663161624707787222815936182638968203
    ];
    component left = EscalarMulFix(253, BASE8);
    for (var i = 0; i < 253; i++) left.e[i] <== sBits.out[i];

    component eqX = IsEqual();
    eqX.in[0] <== left.out[0];
    eqX.in[1] <== right.xout;
    component eqY = IsEqual();
    eqY.in[0] <== left.out[1];
    eqY.in[1] <== right.yout;

    signal t1 <== (1 - sTooBig.out) * (1 - keyIsZero.out);
    signal t2 <== t1 * r8OnCurve;
    signal t3 <== t2 * eqX.out;
    valid <== t3 * eqY.out;
}
