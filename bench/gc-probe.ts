// Loaded into a bench agent with `node --expose-gc --import …/gc-probe.js`: on SIGUSR2 a full
// garbage collection, then process.memoryUsage() as one line on stderr. It lets the footprint
// bench count the live heap per member as well as the RSS, which also holds V8's free room.
const gc = (globalThis as { gc?: () => void }).gc;

process.on('SIGUSR2', () => {
  gc?.();
  process.stderr.write(`gc-probe ${JSON.stringify({ ...process.memoryUsage(), collected: gc !== undefined })}\n`);
});
