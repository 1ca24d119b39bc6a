// End-to-end tests in Debian's Chromium (no browser download). `cargo xtask test` serves the
// release build on 127.0.0.1 and passes its address in QIANYUE_BASE_URL.
import { defineConfig } from '@playwright/test';

const baseURL = process.env.QIANYUE_BASE_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'tests/e2e/artifacts/results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
