// Headless consoles for perf/console/console-cost.sh, driven by the Playwright package that the end-to-end tests'
// build output carries (PLAYWRIGHT_PACKAGE), on Debian's chromium.
//
//   node consoles.cjs open URL KEY COUNT PATH   signs COUNT consoles in (a browser context each), opens PATH (a
//                                              model's page or audit), prints "ready" once every page shows its
//                                              statistics or audit events, and stays until killed
//   node consoles.cjs time URL KEY MODELS LOADS prints the milliseconds from clicking "Models" (from a model's page,
//                                              in the same circuit) to a grid of MODELS rows, LOADS times, one a line,
//                                              after the time from signing in to that grid
const { chromium } = require(process.env.PLAYWRIGHT_PACKAGE);

const launch = () => chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

async function signIn(browser, url, key) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  context.setDefaultTimeout(120000);
  const page = await context.newPage();
  await page.goto(url);
  await page.fill('#api-key', key);
  return page;
}

async function open(url, key, count, path) {
  const browser = await launch();
  const pages = await Promise.all(Array.from({ length: count }, () => signIn(browser, url, key)));
  await Promise.all(pages.map(async page => {
    await page.click('button[type=submit]');
    await page.locator('[data-test=caller]').waitFor();
    await page.click(`a[href="${path}"]`);
    const opened = performance.now();
    try {
      // The first read of a page that reads every model can take long on a busy machine.
      await page.locator(path === 'audit' ? '[data-test=audit] tbody tr >> nth=0' : '[data-test=stats]').waitFor({ timeout: 600000 });
      console.error(`${path} shown in ${(performance.now() - opened).toFixed(0)} ms`);
    } catch (error) {
      // What the page showed instead (an error it reported, an empty table) says why.
      console.error(`${page.url()}:\n${await page.locator('main').innerText().catch(() => '(no main)')}`);
      throw error;
    }
  }));
  console.log('ready');
  await new Promise(() => {});
}

async function time(url, key, models, loads) {
  const browser = await launch();
  const page = await signIn(browser, url, key);
  const rows = page.locator('[data-test=models-grid] a[data-test=model-link]');
  let start = performance.now();
  await page.click('button[type=submit]');
  await page.waitForFunction(n => document.querySelectorAll('[data-test=models-grid] a[data-test=model-link]').length === n, models, { polling: 'raf' });
  console.log(`sign-in ${(performance.now() - start).toFixed(0)}`);
  for (let i = 0; i < loads; i++) {
    await page.click('a[data-test=model-link] >> text="fraud"');
    await page.locator('[data-test=routes]').waitFor();
    start = performance.now();
    await page.click('nav a[href="models"]');
    await page.waitForFunction(n => document.querySelectorAll('[data-test=models-grid] a[data-test=model-link]').length === n, models, { polling: 'raf' });
    console.log(`models ${(performance.now() - start).toFixed(0)}`);
  }
  await browser.close();
}

const [command, url, key, a, b] = process.argv.slice(2);
(command === 'open' ? open(url, key, Number(a), b) : time(url, key, Number(a), Number(b)))
  .catch(error => { console.error(error); process.exit(1); });
