import { CliError, parseOptions, type Command } from '../registry.ts';
import { COMMON_SPEC, COMMON_USAGE, client, finalityLabel, finalityLadder, resolveCommon } from './common.ts';

export const txCommand: Command = {
  name: 'tx',
  summary: 'show an L2 transaction and its finality (soft → posted → anchored → proven → final)',
  usage: `keel tx <id> [options]\n\n${COMMON_USAGE}`,
  async run(args) {
    const [id, ...rest] = args;
    if (!id || !/^[0-9a-f]{64}$/.test(id)) throw new CliError('keel tx needs a transaction id (64 hex digits)');
    const common = resolveCommon(parseOptions(rest, COMMON_SPEC));
    const s = await client(common).getTransaction(id);
    console.log(`transaction ${s.id}`);
    if (s.transaction) {
      const t = s.transaction;
      console.log(
        t.type === 'transfer'
          ? `transfer  #${t.from} → #${t.to}, amount ${t.amount} sat, fee ${t.fee} sat, nonce ${t.nonce}`
          : `withdraw  #${t.from} → script ${t.script}, amount ${t.amount} sat, fee ${t.fee} sat, nonce ${t.nonce}`,
      );
    }
    switch (s.status) {
      case 'unknown':
        console.log('status    unknown to this node');
        return 1;
      case 'dropped':
        console.log(`status    dropped (${s.error?.code}: ${s.error?.message})`);
        return 1;
      case 'pending':
        console.log('status    pending in the mempool');
        console.log(`finality  ${finalityLadder('')}`);
        return 0;
      default:
        console.log(
          `status    ${finalityLabel(s.status, s.proofs)}: L2 block ${s.block}, position ${s.position}, batch ${s.batch}`,
        );
        if (s.proofs && s.proofs.length > 0 && s.status !== 'proven' && s.status !== 'final')
          console.log(`proofs    ${s.proofs.join(' + ')} verified (the batch is not anchored yet)`);
        console.log(`finality  ${finalityLadder(s.status, s.proofs)}`);
        return 0;
    }
  },
};
