import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type MembershipHttpServer } from '../../src/http/server.js';
import { Chromium, findChromium, type Page } from './chromium.js';
import { inCi } from '../ci.js';
import { FakeAgent, fakeCoordinates, startCoordinatesProxy } from './fake-agent.js';

// The parts of /ui that real agents on this branch cannot show yet, in headless chromium
// against made-up agents behind the real HTTP server: the network map and the RTT sort (from
// GET /v1/coordinates, answered by a proxy in front), and an agent without an event log.
// Skips without chromium, unless $CI is set (see test/e2e/ui.test.ts).

const CHROMIUM = findChromium();
const IN_CI = inCi();
if (CHROMIUM === null && !IN_CI) {
  console.warn('SKIPPED ui-fake.test.ts: no chromium on PATH (apt-get install chromium, or set $CHROMIUM; .ci/run installs it)');
}

/** Pixels of the map canvas whose colour is close to `rgb` (a status colour of ui.css). */
function mapPixels(rgb: readonly [number, number, number]): string {
  return `(() => {
    const canvas = document.getElementById('map');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 200 && Math.abs(data[i] - ${rgb[0]}) < 40 && Math.abs(data[i + 1] - ${rgb[1]}) < 40 && Math.abs(data[i + 2] - ${rgb[2]}) < 40) n++;
    }
    return n;
  })()`;
}
const GREEN = [31, 157, 72] as const;
const RED = [208, 52, 44] as const;

interface Row {
  readonly name: string;
  readonly rtt: string;
  readonly tags: string;
  readonly status: string;
}
const ROWS = `[...document.querySelectorAll('#members .rows .row')].map((row) => ({
  name: row.querySelector('.name').textContent,
  rtt: row.querySelector('.rtt').textContent,
  tags: row.querySelector('.tags').textContent,
  status: row.querySelector('.status').textContent,
}))`;

describe.skipIf(CHROMIUM === null && !IN_CI)('GET /ui against made-up agents, in headless chromium', () => {
  let browser: Chromium | undefined;
  const servers: MembershipHttpServer[] = [];
  let proxy: Server | undefined;

  beforeAll(() => {
    if (CHROMIUM === null) throw new Error('CI is set but no chromium was found: .ci/run must install it (apt-get install chromium)');
    browser = Chromium.launch(CHROMIUM, { width: 1280, height: 900 });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (proxy === undefined ? resolve() : proxy.close(() => resolve())));
    await Promise.all(servers.map((server) => server.close()));
  });

  async function open(url: string, members: number): Promise<Page> {
    const page = await browser!.newPage();
    await page.setViewport(1280, 900);
    await page.navigate(url);
    expect(await page.waitFor(`document.querySelectorAll('#members .rows .row').length === ${members}`, 20_000)).toBe(true);
    return page;
  }

  it('draws the members on the map in their status colours, and sorts them by estimated RTT', async () => {
    // 60 members in three regions (zone-0, zone-1, zone-2: member i is in region i % 3) about
    // 40 and 90 ms apart, each spread by 1 ms; this agent is node-0000, in zone-0.
    const agent = new FakeAgent(60, { withEventLog: true });
    const server = await startHttpServer(agent.api(), { host: '127.0.0.1', port: 0 });
    servers.push(server);
    proxy = await startCoordinatesProxy(server.address, fakeCoordinates([...agent.members.keys()], 0.001));
    const page = await open(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}/ui`, 60);

    expect(await page.waitFor(`document.getElementById('map-panel').getClientRects().length > 0`, 20_000)).toBe(true);
    expect(await page.waitFor(`${mapPixels(GREEN)} > 60 * 10`, 5_000)).toBe(true);
    expect(await page.evaluate<number>(mapPixels(RED))).toBe(0);
    expect(await page.evaluate<string>(`getComputedStyle(document.querySelector('#members .head .rtt')).display`)).not.toBe('none');

    await page.evaluate(`(() => { const s = document.getElementById('sort'); s.value = 'rtt'; s.dispatchEvent(new Event('change')); })()`);
    // Name order also starts with node-0000: wait for the RTT order itself.
    const ascending = `${ROWS}.every((row, i, all) => i === 0 || Number.parseFloat(row.rtt) >= Number.parseFloat(all[i - 1].rtt))`;
    expect(await page.waitFor(ascending, 5_000)).toBe(true);
    const rows = await page.evaluate<Row[]>(ROWS);
    expect(rows[0]?.rtt).toBe('0 ms');
    // The 19 other members of zone-0 come first, then zone-1 (~40 ms), then zone-2 (~90 ms).
    const zones = rows.map((row) => /zone=(zone-\d)/.exec(row.tags)?.[1]);
    expect(zones).toEqual([...Array(20).fill('zone-0'), ...Array(20).fill('zone-1'), ...Array(20).fill('zone-2')]);
    expect(Number.parseFloat(rows[59]?.rtt ?? '')).toBeGreaterThan(60);

    // A failure reaches the map as well as the table.
    agent.change('node-0031', 'failed');
    expect(await page.waitFor(`document.querySelector('#members .row[data-name="node-0031"]').dataset.status === 'failed'`, 10_000)).toBe(true);
    expect(await page.waitFor(`${mapPixels(RED)} > 10`, 5_000)).toBe(true);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('follows an agent without an event log by fetching the member list again', async () => {
    const agent = new FakeAgent(5, { withEventLog: false });
    const server = await startHttpServer(agent.api(), { host: '127.0.0.1', port: 0 });
    servers.push(server);
    const page = await open(`http://127.0.0.1:${server.address.port}/ui`, 5);
    expect(await page.waitFor(`document.getElementById('connection').dataset.state === 'polling'`, 10_000)).toBe(true);
    agent.change('node-0003', 'failed');
    expect(await page.waitFor(`document.querySelector('#members .row[data-name="node-0003"] .status').textContent === 'failed'`, 20_000)).toBe(true);
    // Without coordinates (404 from the real server) there is no map.
    expect(await page.evaluate<number>(`document.getElementById('map-panel').getClientRects().length`)).toBe(0);
    expect(page.errors).toEqual([]);
    await page.close();
  });
});
