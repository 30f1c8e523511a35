// A private network namespace for the whole bench (Linux, root): its loopback carries only the
// bench's own agents, so /proc/net counters are an honest external measure of what they send,
// and packet loss can be injected with nftables for every system alike.
import { spawn, spawnSync } from 'node:child_process';

export type NetIsolation = 'private' | 'shared';

const ENV_FLAG = 'GOSSIPD_BENCH_NETNS';
const NFT_TABLE = 'gossipd_bench_loss';

export function netIsolation(): NetIsolation {
  return process.env[ENV_FLAG] === '1' ? 'private' : 'shared';
}

/**
 * Re-runs this process inside `unshare --net` when the machine allows it, and resolves with the
 * child's exit code; resolves null when it cannot (not root, no unshare): run here, shared.
 */
export async function runInPrivateNetns(scriptArgs: readonly string[]): Promise<number | null> {
  if (process.env[ENV_FLAG] !== undefined) return null;
  const probe = spawnSync('unshare', ['--net', 'ip', 'link', 'set', 'lo', 'up'], { stdio: 'ignore' });
  if (probe.status !== 0) return null;
  const child = spawn(
    'unshare',
    ['--net', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', process.execPath, ...process.execArgv, ...scriptArgs],
    { stdio: 'inherit', env: { ...process.env, [ENV_FLAG]: '1' } },
  );
  // Ctrl-C reaches the child through the terminal's process group; a SIGTERM sent to us alone
  // is passed on, so the child can kill its agents before it exits.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128 + 2))));
}

/** Whether wire loss can be injected here (private namespace and the `nft` tool). */
export function wireLossAvailable(): boolean {
  return netIsolation() === 'private' && spawnSync('nft', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Drops this fraction of every packet (UDP and TCP) arriving on loopback in the bench's
 * namespace, silently (on input, so senders see no error), as a lossy network would.
 */
export function setWireLoss(fraction: number): boolean {
  if (!wireLossAvailable()) return false;
  spawnSync('nft', ['delete', 'table', 'inet', NFT_TABLE], { stdio: 'ignore' });
  if (fraction <= 0) return true;
  const perTenThousand = Math.round(fraction * 10_000);
  const rules = `table inet ${NFT_TABLE} {
  chain input {
    type filter hook input priority 0; policy accept;
    ip saddr 127.0.0.0/8 numgen random mod 10000 < ${perTenThousand} drop
  }
}
`;
  return spawnSync('nft', ['-f', '-'], { input: rules, stdio: ['pipe', 'ignore', 'ignore'] }).status === 0;
}
