// `npm run zk:setup [-- --slots N --depth D --withdrawal-depth WD]`: compiles the batch circuit and runs the Groth16
// circuit setup, both cached by content hash. Uses ../shared/zk/pot17_dev.ptau (or KEEL_PTAU) when present, otherwise
// generates and caches an INSECURE development ceremony.
import { parseArgs } from 'node:util';
import { DEFAULT_BATCH_SHAPE, batchCircuitSpec } from './circuit.ts';
import { stderrProgress } from './ptau.ts';
import { releaseSnarkjs, requiredPower, setupCircuit } from './setup.ts';

const { values } = parseArgs({
  options: {
    slots: { type: 'string', default: String(DEFAULT_BATCH_SHAPE.slots) },
    depth: { type: 'string', default: String(DEFAULT_BATCH_SHAPE.depth) },
    'withdrawal-depth': { type: 'string', default: String(DEFAULT_BATCH_SHAPE.withdrawalDepth) },
  },
});
const shape = {
  slots: Number(values.slots),
  depth: Number(values.depth),
  withdrawalDepth: Number(values['withdrawal-depth']),
};
const started = Date.now();
console.log(
  `Batch circuit: ${shape.slots} slots, state depth ${shape.depth}, withdrawal depth ${shape.withdrawalDepth}`,
);
const keys = await setupCircuit(batchCircuitSpec(shape), {
  onProgress: stderrProgress('INSECURE development ceremony'),
});
await releaseSnarkjs();
console.log(`constraints:      ${keys.circuit.constraints} (2^${requiredPower(keys.circuit.constraints, 1)} domain)`);
console.log(`--inspect:        ${keys.circuit.warnings.length} warnings (see src/snark/README.md)`);
console.log(`ptau:             ${keys.ptau.path} (2^${keys.ptau.power}) — development only, INSECURE`);
console.log(`zkey:             ${keys.zkeyPath}`);
console.log(`verification key: ${keys.vkPath}`);
console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
