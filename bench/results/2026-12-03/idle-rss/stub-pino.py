# The agent with pino replaced by a do-nothing logger (in a copy of dist/, argv[1]), to weigh pino itself.
import sys
open(sys.argv[1] + '/pino-stub.js', 'w').write("""function make() { const l = { level: 'info' }; for (const k of ['trace', 'debug', 'info', 'warn', 'error', 'fatal']) l[k] = () => {}; l.child = () => make(); l.isLevelEnabled = () => false; l.flush = () => {}; return l; }
export function pino() { return make(); }
pino.destination = () => process.stdout; pino.multistream = () => process.stdout;
""")
for f, a, b in [('/agent/agent.js', "from 'pino'", "from '../pino-stub.js'"), ('/cli/agent.js', "import('pino')", "import('../pino-stub.js')")]:
    p = sys.argv[1] + f; s = open(p).read(); assert a in s, f; open(p, 'w').write(s.replace(a, b))
