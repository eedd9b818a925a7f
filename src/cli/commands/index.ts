import { verifyNodeCommand } from './verify-node.ts';
import { registerCommand } from '../registry.ts';
import { balanceCommand } from './balance.ts';
import { bitcoindCommand } from './bitcoind.ts';
import { devnetCommand } from './devnet.ts';
import { statusCommand } from './status.ts';
import { transferCommand } from './transfer.ts';
import { txCommand } from './tx.ts';
import { verifyBatchCommand } from './verify-batch.ts';
import { walletCommand } from './wallet.ts';
import { withdrawCommand } from './withdraw.ts';

/** Every `keel` command; add new ones here. */
export function registerAll(): void {
  registerCommand(bitcoindCommand);
  registerCommand(walletCommand);
  registerCommand(balanceCommand);
  registerCommand(transferCommand);
  registerCommand(withdrawCommand);
  registerCommand(txCommand);
  registerCommand(statusCommand);
  registerCommand(devnetCommand);
  registerCommand(verifyNodeCommand);
  registerCommand(verifyBatchCommand);
}
