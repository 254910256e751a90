import type { VerifyRollback } from '../report.js';
import type { ChangeChain } from '../transforms/Transform.js';
import { bisect, type Regression, type VerifyGate } from './VerifyGate.js';

export interface ChainVerdict {
  kept: ChangeChain[];
  rolledBack: VerifyRollback[];
}

/**
 * Runs the suite with every chain applied; on a regression, bisects to the chains that cause it,
 * drops them, and confirms with one more run. If the suite still regresses (chains that only fail
 * in company the halving could not isolate), every chain of this step is dropped.
 * `texts(subset)` gives the project's edited files (absolute path → text) with only `subset` applied.
 */
export async function verifyChains(
  gate: VerifyGate,
  chains: readonly ChangeChain[],
  texts: (subset: readonly ChangeChain[]) => ReadonlyMap<string, string>,
  where: (chain: ChangeChain) => { file: string; line: number; column: number; description: string },
): Promise<ChainVerdict> {
  const test = async (subset: readonly ChangeChain[]): Promise<Regression | undefined> => gate.regression(await gate.run(texts(subset)));
  const first = await test(chains);
  if (first === undefined) return { kept: [...chains], rolledBack: [] };
  const blamed = await bisect(chains, first, test);
  let kept = chains.filter((chain) => !blamed.has(chain));
  if (kept.length > 0) {
    const confirm = await test(kept);
    if (confirm !== undefined) {
      for (const chain of kept) blamed.set(chain, confirm);
      kept = [];
    }
  }
  const rolledBack = chains.filter((chain) => blamed.has(chain)).map((chain): VerifyRollback => {
    const regression = blamed.get(chain)!;
    const at = where(chain);
    return {
      transform: chain.transform, ...at, failingTests: regression.newFailures, why: regression.why,
      ...(regression.newFailures.length === 0 ? { outputTail: regression.tail } : {}),
    };
  });
  return { kept, rolledBack };
}
