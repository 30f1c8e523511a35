process.on('exit', () => process.stderr.write(`\n${JSON.stringify(globalThis.__aliveCount)}\n`));
