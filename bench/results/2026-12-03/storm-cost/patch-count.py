# Counts every `alive` a member receives, by simulated second, in a built dist/ (argv[1]); printed at exit by count-hook.mjs.
import sys
p = sys.argv[1] + '/protocol/updates.js'; s = open(p).read()
s = s.replace("onAlive(alive) {\n", "onAlive(alive) {\n        const c = (globalThis.__aliveCount ??= {}); c.all = (c.all ?? 0) + 1; const b = 's' + Math.floor(this.ctx.nowMs / 1000); c[b] = (c[b] ?? 0) + 1;\n", 1)
open(p, 'w').write(s)
p = sys.argv[1] + '/protocol/dissemination.js'; s = open(p).read()
s = s.replace("heardAgain(alive, slot) {\n", "heardAgain(alive, slot) {\n        const c = (globalThis.__aliveCount ??= {}); c.known = (c.known ?? 0) + 1;\n", 1)
open(p, 'w').write(s)
