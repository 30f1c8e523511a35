# Trial, not landed: echoes counted in per-slot arrays and a queued join moved to its tier lazily, at
# the next scan of the queue, instead of at each echo; in a built dist/ (argv[1]). Changes send order.
import sys
p = sys.argv[1] + '/protocol/broadcast-queue.js'; s = open(p).read()
s = s.replace("""        if (item.echoSlot >= 0)
            this.byEchoSlot[item.echoSlot] = item;""", """        if (item.echoSlot >= 0) {
            this.byEchoSlot[item.echoSlot] = item; this.echoName[item.echoSlot] = message.name; this.echoInc[item.echoSlot] = message.incarnation; this.echoTotal[item.echoSlot] = 0; }""")
s = s.replace("    byEchoSlot = [];", "    byEchoSlot = []; echoName = []; echoInc = []; echoTotal = [];")
s = s.replace("""        if (item.echoSlot >= 0 && this.byEchoSlot[item.echoSlot] === item)
            this.byEchoSlot[item.echoSlot] = undefined;""", """        if (item.echoSlot >= 0 && this.byEchoSlot[item.echoSlot] === item) {
            this.byEchoSlot[item.echoSlot] = undefined; this.echoName[item.echoSlot] = undefined; }""")
s = s.replace("""            for (let item = tier.head; item !== undefined; item = item.next) {
                if (item.skippedFor""", """            for (let item = tier.head, next; item !== undefined; item = next) {
                next = item.next;
                if (item.echoSlot >= 0 && this.echoTotal[item.echoSlot] !== item.transmits) {
                    item.transmits = this.echoTotal[item.echoSlot];
                    if (item.transmits >= limit) { this.remove(item.key); continue; }
                    item.tier.unlink(item); this.tier(item.transmits).append(item); continue;
                }
                if (item.skippedFor""")
s = s.replace("""            item.transmits++;
            if (item.transmits >= limit) {
                this.remove(item.key);
            }""", """            item.transmits++;
            if (item.echoSlot >= 0) this.echoTotal[item.echoSlot] = item.transmits;
            if (item.transmits >= limit) {
                this.remove(item.key);
            }""")
i = s.index('heardAgain(slot, heard, limit) {'); j = s.index('    tier(transmits) {', i)
s = s[:i] + """heardAgain(slot, heard, limit) {
        if (this.echoName[slot] !== heard.name || this.echoInc[slot] !== heard.incarnation || heard.type !== 'alive') return;
        const t = ++this.echoTotal[slot];
        if (t >= limit) this.remove(heard.name);
    }
""" + s[j:]
open(p, 'w').write(s)
