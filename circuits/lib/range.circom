pragma circom 2.1.0;

// in < 2^n, for n < 254 (so the bit sum cannot wrap around the field). Unlike circomlib's Num2Bits it exposes no bits,
// so callers that only need the bound leave no dangling outputs for --inspect to flag.
template RangeCheck(n) {
    assert(n < 254);
    signal input in;
    signal bits[n];
    var sum = 0;
    var weight = 1;
    for (var i = 0; i < n; i++) {
        bits[i] <-- (in >> i) & 1;
        bits[i] * (bits[i] - 1) === 0;
        sum += bits[i] * weight;
        weight += weight;
    }
    sum === in;
}
