// Progress on stderr: one timestamped line per step, so a long run can be followed in a log file.
const startedAtMs = performance.now();

export type Progress = (message: string) => void;

export function progress(prefix: string): Progress {
  return (message) => {
    const elapsedS = ((performance.now() - startedAtMs) / 1000).toFixed(0).padStart(5);
    process.stderr.write(`[${elapsedS}s] ${prefix}${message}\n`);
  };
}
