# A peer's copy of a queued join counts as ECHO_WEIGHT of our sends (main: 1), in a built dist/ (argv[1]).
import sys
p = sys.argv[1] + '/protocol/broadcast-queue.js'; s = open(p).read()
i = s.index('heardAgain(slot, heard, limit) {'); j = s.index('item.transmits++;', i)
s = s[:j] + 'item.transmits += Number(process.env.ECHO_WEIGHT ?? 1);' + s[j + len('item.transmits++;'):]
open(p, 'w').write(s)
