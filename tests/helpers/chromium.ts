// The one way tests and benchmarks start Debian's Chromium: headless, no sandbox (we run as
// root), and none of its background traffic, which this machine's closed network refuses.
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.OPS_CONSOLE_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
