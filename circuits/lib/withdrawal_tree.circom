pragma circom 2.1.0;

include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/poseidon.circom";

// Roots of empty subtrees of the withdrawal tree (docs/protocol.md §6: empty leaf 0, node H[2]): Z_0 = 0,
// Z_{k+1} = H[2](Z_k, Z_k). test/snark/withdrawal_tree.test.ts recomputes them from the TypeScript Poseidon.
function WithdrawalZero(k) {
    var z[17] = [
        0,
        14744269619966411208579211824598458697587494354926760081771325075741142829156,
        7423237065226347324353380772367382631490014989348495481811164164159255474657,
        11286972368698509976183087595462810875513684078608517520839298933882497716792,
        3607627140608796879659380071776844901612302623152076817094415224584923813162,
        19712377064642672829441595136074946683621277828620209496774504837737984048981,
        20775607673010627194014556968476266066927294572720319469184847051418138353016,
        3396914609616007258851405644437304192397291162432396347162513310381425243293,
        21551820661461729022865262380882070649935529853313286572328683688269863701601,
        6573136701248752079028194407151022595060682063033565181951145966236778420039,
        12413880268183407374852357075976609371175688755676981206018884971008854919922,
        14271763308400718165336499097156975241954733520325982997864342600795471836726,
        20066985985293572387227381049700832219069292839614107140851619262827735677018,
        9394776414966240069580838672673694685292165040808226440647796406499139370960,
        11331146992410411304059858900317123658895005918277453009197229807340014528524,
        15819538789928229930262697811477882737253464456578333862691129291651619515538,
        19217088683336594659449020493828377907203207941212636669271704950158751593251
    ];
    return z[k];
}

// Root of one batch's withdrawal tree of depth `depth` whose leaves are the `n` slots' withdrawal leaves, compacted in
// slot order: slot j's leaf (if it has one) goes to position (number of withdrawals before j). Only the first
// 2^ceil(log2 n) positions can be occupied, so the rest of the tree is hashed against the empty-subtree constants.
template WithdrawalRoot(n, depth) {
    signal input has[n];
    signal input leaf[n];
    signal output root;

    var low = 0;
    while ((1 << low) < n) low++;
    assert(low <= depth);
    var width = 1 << low;

    // position[j] = withdrawals strictly before slot j; `has` is boolean (the caller derives it from type flags).
    signal position[n + 1];
    position[0] <== 0;
    for (var j = 0; j < n; j++) position[j + 1] <== position[j] + has[j];

    component at[n][width];
    signal pick[n][width];
    signal contribution[n][width];
    var slotSum[width];
    for (var k = 0; k < width; k++) slotSum[k] = 0;
    for (var j = 0; j < n; j++) {
        for (var k = 0; k < width; k++) {
            at[j][k] = IsEqual();
            at[j][k].in[0] <== position[j];
            at[j][k].in[1] <== k;
            pick[j][k] <== at[j][k].out * has[j];
            contribution[j][k] <== pick[j][k] * leaf[j];
            slotSum[k] += contribution[j][k];
        }
    }

    signal level[low + 1][width];
    for (var k = 0; k < width; k++) level[0][k] <== slotSum[k];
    component inner[low][width];
    for (var l = 0; l < low; l++) {
        for (var k = 0; k < (width >> (l + 1)); k++) {
            inner[l][k] = Poseidon(2);
            inner[l][k].inputs[0] <== level[l][2 * k];
            inner[l][k].inputs[1] <== level[l][2 * k + 1];
            level[l + 1][k] <== inner[l][k].out;
        }
        for (var k = (width >> (l + 1)); k < width; k++) level[l + 1][k] <== 0;
    }

    component upper[depth - low];
    signal node[depth - low + 1];
    node[0] <== level[low][0];
    for (var l = low; l < depth; l++) {
        upper[l - low] = Poseidon(2);
        upper[l - low].inputs[0] <== node[l - low];
        upper[l - low].inputs[1] <== WithdrawalZero(l);
        node[l - low + 1] <== upper[l - low].out;
    }
    root <== node[depth - low];
}
