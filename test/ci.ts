/**
 * $CI is set (and not "false" or "0"), as every CI service and `.ci/run` set it. Tests that need
 * a tool from outside npm (chromium, prometheus, root and iproute2) skip without it on a
 * developer's machine, but fail in CI: a CI machine without it is a broken setup, and a skip
 * there would hide the only test of what the tool checks.
 */
export function inCi(): boolean {
  const ci = process.env['CI'] ?? '';
  return ci !== '' && ci !== 'false' && ci !== '0';
}
