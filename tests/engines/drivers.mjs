// The three engines, each through its own WebDriver server from Debian or crates.io
// (xtask/src/tools.rs installs them): Chromium (chromedriver), Firefox ESR (geckodriver) and
// WebKitGTK (WebKitWebDriver driving MiniBrowser, which needs an X display: Xvfb). The driver
// process is started here on a free port and selenium-webdriver talks to it by URL, so Selenium
// Manager never looks for (or downloads) a driver.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Builder } from 'selenium-webdriver';

export const ENGINES = ['chromium', 'firefox', 'webkit'];

const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

const freePort = () => new Promise((resolve, reject) => {
  const s = createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `url` answers (the driver's /status). */
async function waitForStatus(url, child, what) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode})`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch { /* not yet */ }
    await sleep(50);
  }
  throw new Error(`${what} did not answer at ${url}`);
}

/** The capabilities of each engine (W3C; vendor keys where the engine needs them). */
function capabilities(engine) {
  switch (engine) {
    case 'chromium':
      return {
        browserName: 'chrome',
        'goog:chromeOptions': {
          binary: '/usr/bin/chromium',
          args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
            '--disable-quic', '--disable-background-networking', '--disable-component-update',
            '--disable-sync', '--no-first-run', '--window-size=1280,900'],
        },
      };
    case 'firefox':
      return {
        browserName: 'firefox',
        'moz:firefoxOptions': {
          binary: '/usr/bin/firefox-esr',
          args: ['-headless', '-width=1280', '-height=900'],
        },
      };
    case 'webkit':
      return {
        browserName: 'MiniBrowser',
        'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
      };
    default:
      throw new Error(`unknown engine ${engine} (one of ${ENGINES.join(', ')})`);
  }
}

/** Starts Xvfb on a free display number; WebKitGTK's MiniBrowser needs one even when driven. */
async function startXvfb() {
  for (let n = 90 + Math.floor(Math.random() * 100); n < 400; n++) {
    if (existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`)) continue;
    const xvfb = spawn('Xvfb', [`:${n}`, '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
    for (let i = 0; i < 100 && xvfb.exitCode === null; i++) {
      if (existsSync(`/tmp/.X11-unix/X${n}`)) return { display: `:${n}`, stop: () => xvfb.kill() };
      await sleep(50);
    }
    xvfb.kill();
  }
  throw new Error('cannot start Xvfb');
}

/**
 * A WebDriver session in `engine`, with its driver (and display) started for it. `quit()` ends
 * the session and stops what was started.
 */
export async function openSession(engine) {
  const port = await freePort();
  // "Today" in the browser is the agreement's day: China Standard Time.
  const env = { ...process.env, TZ: 'Asia/Shanghai' };
  const stops = [];
  let program;
  let args;
  let profile;
  switch (engine) {
    case 'chromium':
      program = process.env.CHROMEDRIVER ?? '/usr/bin/chromedriver';
      args = [`--port=${port}`];
      break;
    case 'firefox':
      program = process.env.GECKODRIVER ?? 'geckodriver';
      // geckodriver's own temporary profiles go to TMPDIR: one per session, removed at the end.
      profile = mkdtempSync(join(tmpdir(), 'qianyue-gecko-'));
      env.TMPDIR = profile;
      args = ['--port', String(port), '--host', '127.0.0.1'];
      break;
    case 'webkit': {
      const x = await startXvfb();
      stops.push(x.stop);
      env.DISPLAY = x.display;
      program = process.env.WEBKITWEBDRIVER ?? 'WebKitWebDriver';
      args = [`--port=${port}`];
      break;
    }
    default:
      capabilities(engine);
  }
  const child = spawn(program, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  child.on('error', (e) => { stderr += String(e); });
  stops.unshift(() => child.kill());
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForStatus(`${url}/status`, child, program);
  } catch (e) {
    stops.forEach((s) => s());
    throw new Error(`${e.message}\n${stderr}`);
  }
  const driver = await new Builder().usingServer(url).withCapabilities(capabilities(engine)).build();
  await driver.manage().setTimeouts({ script: 30_000, pageLoad: 60_000 });
  if (engine === 'webkit') {
    await driver.manage().window().setRect({ width: 1280, height: 900 }).catch(() => {});
  }
  return {
    driver,
    async quit() {
      await driver.quit().catch(() => {});
      stops.forEach((s) => s());
      if (profile) rmSync(profile, { recursive: true, force: true });
    },
  };
}
