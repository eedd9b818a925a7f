import { parseOptions, type Command } from '../registry.ts';
import { COMMON_SPEC, COMMON_USAGE, client, resolveCommon } from './common.ts';

export const statusCommand: Command = {
  name: 'status',
  summary: 'show the L2 node status',
  usage: `keel status [options]\n\n${COMMON_USAGE}`,
  async run(args) {
    const common = resolveCommon(parseOptions(args, COMMON_SPEC));
    const s = await client(common).getStatus();
    console.log(`node        ${common.rpcUrl} (chain ${s.chainId}, up ${s.uptimeSeconds} s)`);
    console.log(`L2 height   ${s.height}, state root ${s.roots[0]}`);
    console.log(`batches     ${s.lastBatch} closed, batch ${s.openBatch} open`);
    console.log(`mempool     ${s.mempool} transaction(s)`);
    console.log(`L1 queue    ${s.queue.consumed}/${s.queue.length} consumed`);
    console.log(
      `bitcoin     tip ${s.l1.tip}, deposits taken to ${s.l1.scanned} (${s.l1.confirmations} confirmations)` +
        (s.l1.halted ? `\nHALTED      ${s.l1.halted}` : '') +
        (s.l1.error ? `\nL1 error    ${s.l1.error}` : ''),
    );
    return 0;
  },
};
