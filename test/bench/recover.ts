// Benchmark `recover` (BENCHMARKS.md): how fast things are live again after a restart.
//   relay_restart_to_live_ms   the relay is SIGKILLed (the open popup shows its offline banner),
//                              then started again; from the moment the new process answers
//                              GET /health (startRelayProcess polls it every 50 ms, so the start
//                              is at most 50 ms late) until the popup's offline banner is gone
//   server_restart_to_live_ms  Dovecot is stopped (the relay reports the account not online),
//                              then started again; from the moment it greets on its IMAPS port
//                              (the harness waits for the greeting) until the relay reports the
//                              account online again (an account.state event to a connected client)
// Each sample is one kill/stop and restart; p50 and max over the samples.
import { launchExtension } from '../harness/chromium.js';
import { startMailRelay } from '../harness/mail-relay.js';
import { pairFromOptions } from '../harness/options-page.js';
import { percentile, round } from './stats.js';

export async function benchRecover(options: { samples: number }): Promise<Record<string, number>> {
  const samples = Math.max(1, options.samples);
  await using mail = await startMailRelay();
  const { accountId } = await mail.addAccount({ name: 'Recover' });

  // Relay: killed and restarted under an open popup.
  const relayTimes: number[] = [];
  {
    await using browser = await launchExtension();
    const options = await pairFromOptions(browser, mail.relay);
    await options.getByTestId('account-row').first().waitFor({ timeout: 15_000 });
    await options.close();
    const popup = await browser.openPage('popup.html');
    const banner = popup.getByTestId('offline-banner');
    for (let i = 0; i < samples; i++) {
      await banner.waitFor({ state: 'detached', timeout: 20_000 });
      await mail.relay.kill();
      await banner.waitFor({ state: 'visible', timeout: 20_000 });
      await mail.relay.restart();
      const acceptedAt = Date.now();
      await banner.waitFor({ state: 'detached', timeout: 30_000 });
      relayTimes.push(Date.now() - acceptedAt);
    }
  }

  // Dovecot: stopped and restarted under a connected client.
  const serverTimes: number[] = [];
  using client = await mail.connect();
  const stateNow = () => client.latestState(accountId);
  await client.waitFor(() => stateNow() === undefined || stateNow() === 'online', 15_000, 'account online');
  for (let i = 0; i < samples; i++) {
    await mail.dovecot.stop();
    await client.waitFor(() => stateNow() !== undefined && stateNow() !== 'online', 30_000, 'account not online');
    await mail.dovecot.restart();
    const acceptedAt = Date.now();
    await client.waitFor(() => stateNow() === 'online', 60_000, 'account online again');
    serverTimes.push(Date.now() - acceptedAt);
  }

  return {
    relay_restart_to_live_ms: round(percentile(relayTimes, 50)),
    relay_restart_to_live_max_ms: round(Math.max(...relayTimes)),
    server_restart_to_live_ms: round(percentile(serverTimes, 50)),
    server_restart_to_live_max_ms: round(Math.max(...serverTimes)),
    samples,
  };
}
