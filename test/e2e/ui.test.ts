import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Chromium, findChromium, type Page } from '../browser/chromium.js';
import { inCi } from '../ci.js';
import { killAll, startAgentProcess, type AgentProcess } from './processes.js';

// GET /ui in a real browser: three `gossipd agent` processes, the page of the first one in
// headless chromium (DevTools protocol over a pipe), and what the page shows, read from its
// DOM: every member alive, then the killed one failed, without a reload.
//
// Without chromium the test skips locally, but fails when $CI is set (.ci/run installs it).
// GOSSIPD_UI_SCREENSHOT=docs/ui.png also saves a screenshot of the page with the failed member.

const CHROMIUM = findChromium();
const IN_CI = inCi();
if (CHROMIUM === null && !IN_CI) {
  console.warn('SKIPPED ui.test.ts: no chromium on PATH (apt-get install chromium, or set $CHROMIUM; .ci/run installs it)');
}

/** One row of the member table as the page renders it. */
interface RenderedRow {
  readonly name: string;
  readonly address: string;
  readonly status: string;
  readonly statusColour: string;
  readonly tags: string;
  readonly hidden: boolean;
}

const ROWS = `[...document.querySelectorAll('#members .rows .row')].map((row) => ({
  name: row.querySelector('.name').textContent,
  address: row.querySelector('.address').textContent,
  status: row.querySelector('.status').textContent,
  statusColour: getComputedStyle(row.querySelector('.status')).backgroundColor,
  tags: row.querySelector('.tags').textContent,
  // Laid out or not, whatever the attribute says: a filtered-out row must be gone from the page.
  hidden: row.getClientRects().length === 0,
}))`;

function statusOf(name: string): string {
  return `document.querySelector('#members .row[data-name="${name}"] .status')?.textContent`;
}

describe.skipIf(CHROMIUM === null && !IN_CI)('GET /ui in headless chromium', () => {
  const agents: AgentProcess[] = [];
  let browser: Chromium | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    if (CHROMIUM === null) throw new Error('CI is set but no chromium was found: .ci/run must install it (apt-get install chromium)');
    try {
      const first = await startAgentProcess('n1', ['--tag', 'role=web']);
      agents.push(first);
      agents.push(await startAgentProcess('n2', ['--join', first.udp, '--tag', 'role=db', '--tag', 'zone=a']));
      agents.push(await startAgentProcess('n3', ['--join', first.udp, '--tag', 'role=web']));
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && !(await allAliveAt(first.http, 3))) await new Promise((r) => setTimeout(r, 100));
      expect(await allAliveAt(first.http, 3)).toBe(true);
      browser = Chromium.launch(CHROMIUM, { width: 1280, height: 760 });
      page = await browser.newPage();
    } catch (error) {
      browser?.kill();
      killAll(agents);
      throw error;
    }
  }, 60_000);

  afterAll(async () => {
    killAll(agents);
    await Promise.all(agents.map((agent) => agent.exited));
    await browser?.close();
  });

  it('shows the three members alive, with their addresses, tags and status colours', async () => {
    const p = page!;
    await p.setViewport(1280, 720);
    await p.navigate(`http://${agents[0]!.http}/ui`);
    const shown = await p.waitFor(`${ROWS}.filter((r) => r.status === 'alive').length === 3`, 20_000);
    const rows = await p.evaluate<RenderedRow[]>(ROWS);
    expect(shown, JSON.stringify(rows)).toBe(true);
    expect(rows.map((r) => r.name)).toEqual(['n1', 'n2', 'n3']);
    expect(rows.map((r) => r.address)).toEqual(agents.map((a) => a.udp));
    expect(rows.map((r) => r.tags)).toEqual(['role=web', 'role=db zone=a', 'role=web']);
    expect(rows.every((r) => !r.hidden && r.statusColour === 'rgb(31, 157, 72)')).toBe(true);
    expect(await p.evaluate<string>(`document.getElementById('self-name').textContent`)).toBe('n1');
    expect(await p.waitFor(`document.getElementById('connection').dataset.state === 'live'`, 10_000)).toBe(true);
    // The health panel is filled from /metrics: a score, probe results, the drop reasons.
    expect(await p.waitFor(`/^\\d/.test(document.getElementById('health-score').textContent)`, 10_000)).toBe(true);
    expect(await p.evaluate<string>(`document.getElementById('probes').textContent`)).toMatch(/direct_ok \d+/);
    expect(await p.evaluate<string>(`document.getElementById('drops-summary').textContent`)).toMatch(/^none \(0 for each of \d+ reasons\)$/);
    // The map and the RTT column are there exactly when the agent serves coordinates (an
    // agent without them answers 404; test/browser/ui-fake.test.ts covers the map itself).
    const hasCoordinates = (await fetch(`http://${agents[0]!.http}/v1/coordinates`)).status !== 404;
    expect(await p.waitFor(`(document.getElementById('map-panel').getClientRects().length > 0) === ${hasCoordinates}`, 15_000)).toBe(true);
    const rttDisplay = await p.evaluate<string>(`getComputedStyle(document.querySelector('#members .head .rtt')).display`);
    expect(rttDisplay === 'none').toBe(!hasCoordinates);
    // The timeline has the joins the agent saw before the page opened.
    expect(await p.evaluate<string>(`document.getElementById('timeline').textContent`)).toContain('member-join');
    // The filters work on what is shown: a tag, then a status.
    await p.evaluate(`(() => { const f = document.getElementById('tag-filter'); f.value = 'role:db'; f.dispatchEvent(new Event('input')); })()`);
    expect(await p.waitFor(`${ROWS}.filter((r) => !r.hidden).map((r) => r.name).join() === 'n2'`, 5_000)).toBe(true);
    await p.evaluate(`(() => { const f = document.getElementById('tag-filter'); f.value = ''; f.dispatchEvent(new Event('input')); })()`);
    await p.evaluate(`document.querySelector('#status-filter input[value="alive"]').click()`);
    expect(await p.waitFor(`${ROWS}.every((r) => r.hidden)`, 5_000)).toBe(true);
    await p.evaluate(`document.querySelector('#status-filter input[value="alive"]').click()`);
    expect(await p.waitFor(`${ROWS}.every((r) => !r.hidden)`, 5_000)).toBe(true);
    expect(p.errors).toEqual([]);
  });

  it('turns a killed member failed on the page without a reload', async () => {
    const p = page!;
    // A mark in the page's JavaScript state: a reload would lose it.
    await p.evaluate(`window.notReloaded = true`);
    const victim = agents[2]!;
    victim.child.kill('SIGKILL');
    await victim.exited;
    const failed = await p.waitFor(`${statusOf('n3')} === 'failed'`, 45_000);
    const rows = await p.evaluate<RenderedRow[]>(ROWS);
    expect(failed, JSON.stringify(rows)).toBe(true);
    expect(rows.map((r) => [r.name, r.status])).toEqual([
      ['n1', 'alive'],
      ['n2', 'alive'],
      ['n3', 'failed'],
    ]);
    expect(rows[2]?.statusColour).toBe('rgb(208, 52, 44)');
    expect(await p.evaluate<boolean>(`window.notReloaded === true`)).toBe(true);
    expect(await p.evaluate<number>(`performance.getEntriesByType('navigation').length`)).toBe(1);
    expect(await p.evaluate<string>(`document.getElementById('timeline').textContent`)).toMatch(/member-failedn3 (alive|suspect) → failed/);
    expect(await p.evaluate<string>(`document.getElementById('summary').textContent`)).toContain('1 failed');
    expect(p.errors).toEqual([]);
    const screenshot = process.env['GOSSIPD_UI_SCREENSHOT'];
    if (screenshot !== undefined && screenshot !== '') {
      // Down to the end of the panels, without the empty viewport below them.
      const bottom = await p.evaluate<number>(`Math.ceil(document.querySelector('main').getBoundingClientRect().bottom)`);
      writeFileSync(screenshot, await p.screenshotPng(Math.min(720, bottom)));
    }
  });
});

async function allAliveAt(http: string, count: number): Promise<boolean> {
  try {
    const response = await fetch(`http://${http}/v1/members?status=alive`);
    const members = (await response.json()) as unknown[];
    return members.length === count;
  } catch {
    return false;
  }
}
