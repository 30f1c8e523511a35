import { describe, expect, it } from 'vitest';
import { overrides } from '../../src/protocol/member.js';
import { incarnation, type MemberStatus } from '../../src/protocol/types.js';

// SWIM §4.2 as DESIGN.md states it: higher incarnation wins; at equal incarnation
// left > failed > suspect > alive; alive never overrides at equal incarnation.
const cases: Array<[MemberStatus, number, MemberStatus, number, boolean]> = [
  // incoming, inc, held, inc, overrides?
  ['alive', 5, 'alive', 4, true],
  ['alive', 5, 'alive', 5, false],
  ['alive', 4, 'alive', 5, false],
  ['alive', 6, 'suspect', 5, true],
  ['alive', 5, 'suspect', 5, false],
  ['alive', 6, 'failed', 5, true],
  ['alive', 5, 'failed', 5, false],
  ['alive', 6, 'left', 5, true],
  ['alive', 5, 'left', 5, false],
  ['suspect', 5, 'alive', 5, true],
  ['suspect', 6, 'alive', 5, true],
  ['suspect', 4, 'alive', 5, false],
  ['suspect', 5, 'suspect', 5, false],
  ['suspect', 6, 'suspect', 5, true],
  ['suspect', 5, 'failed', 5, false],
  ['suspect', 6, 'failed', 5, true],
  ['failed', 5, 'alive', 5, true],
  ['failed', 5, 'suspect', 5, true],
  ['failed', 4, 'suspect', 5, false],
  ['failed', 5, 'failed', 5, false],
  ['failed', 5, 'left', 5, false],
  ['left', 5, 'alive', 5, true],
  ['left', 5, 'suspect', 5, true],
  ['left', 5, 'failed', 5, true],
  ['left', 5, 'left', 5, false],
  ['left', 4, 'alive', 5, false],
];

describe('precedence of membership updates', () => {
  it.each(cases)('%s@%i over held %s@%i → %s', (inStatus, inInc, heldStatus, heldInc, expected) => {
    expect(
      overrides({ status: inStatus, incarnation: incarnation(inInc) }, { status: heldStatus, incarnation: incarnation(heldInc) }),
    ).toBe(expected);
  });
});
