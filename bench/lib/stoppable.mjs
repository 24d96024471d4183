// A benchmark's servers stopped whatever happens: `kill` runs at exit and on SIGINT/SIGTERM (then
// the process exits 130/143), and the returned `down` stops them once, orderly (`stop`, then
// `kill` for what is left), and removes the handlers.
export function stoppable(kill, stop) {
  const onExit = () => kill();
  const onSignal = (signal) => {
    kill();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('exit', onExit);
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  let stopped = false;
  return async function down() {
    if (stopped) return;
    stopped = true;
    await stop();
    kill();
    process.off('exit', onExit);
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  };
}
