// A Sockudo cluster for a benchmark or a test: toolchain/cluster with a folder of its own (every
// port a free one, chosen by the script), its addresses read back from `toolchain/cluster env`.
// Whatever happens, `down()` (also run on exit and on SIGINT/SIGTERM) stops what it started, by the
// PIDs in its folder.
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './env.mjs';
import { stoppable } from './stoppable.mjs';

const run = promisify(execFile);
const SCRIPT = path.join(ROOT, 'toolchain', 'cluster');

/** The PID files a cluster folder holds, with what each process's command line must contain. */
function pidFiles(dir) {
  const files = [['redis.pid', 'redis-server'], ['haproxy.pid', 'haproxy']];
  for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (entry.startsWith('node-')) files.push([path.join(entry, 'sockudo.pid'), 'sockudo']);
    if (entry.startsWith('server-')) files.push([path.join(entry, 'server.pid'), 'server/src/main.js']);
  }
  return files;
}

/** Ends every process of the cluster folder that is still ours, at once (the last resort). */
export function killCluster(dir) {
  for (const [file, signature] of pidFiles(dir)) {
    try {
      const pid = Number(fs.readFileSync(path.join(dir, file), 'utf8').trim());
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (pid > 0 && cmdline.includes(signature)) process.kill(pid, 'SIGKILL');
    } catch { /* no PID file, or the process is gone */ }
  }
}

/** CPU seconds (user + system) a process has used, from /proc; null when it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return null;
  }
}

/** Resident memory of a process in bytes, from /proc; null when it is gone. */
export function rssBytes(pid) {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  } catch {
    return null;
  }
}

/**
 * Starts a cluster in `dir` (removed first): `{dir, env, apiBase, wsPort, pids(), kill(node),
 * start(node), down()}`. `env`: more variables for toolchain/cluster and what it starts.
 */
export async function startCluster(dir, env = {}) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const fullEnv = { ...process.env, CLUSTER_DIR: dir, QUIET: '1', PUSHSYNC_DEV_ROUTES: '0', ...env };
  const cluster = (...args) => run(SCRIPT, args, { env: fullEnv, timeout: 180_000, maxBuffer: 4 << 20 });
  const down = stoppable(() => killCluster(dir),
    () => cluster('down').catch((error) => console.error(`cluster down: ${error.stderr ?? error}`)));
  try {
    await cluster('up');
  } catch (error) {
    await down();
    throw new Error(`toolchain/cluster up failed:\n${error.stdout ?? ''}${error.stderr ?? error}`);
  }
  const vars = Object.fromEntries(execFileSync(SCRIPT, ['env'], { env: fullEnv, encoding: 'utf8' })
    .trim().split('\n').map((line) => line.split('=')));
  const readPid = (file) => { try { return Number(fs.readFileSync(path.join(dir, file), 'utf8').trim()) || null; } catch { return null; } };
  const nodes = Number(vars.CLUSTER_NODES);
  const servers = Number(vars.CLUSTER_SERVERS);
  return {
    dir,
    env: vars,
    nodes,
    servers,
    apiBase: `http://127.0.0.1:${vars.CLUSTER_API_PORT}`,
    wsPort: Number(vars.CLUSTER_WS_PORT),
    nodePort: (i) => Number(vars[`CLUSTER_NODE${i}_PORT`]),
    dbPath: path.join(dir, 'pushsync.sqlite'),
    /** {name: pid} of every part: redis, haproxy, node1.., server1.. */
    pids() {
      const out = { redis: readPid('redis.pid'), haproxy: readPid('haproxy.pid') };
      for (let i = 1; i <= nodes; i++) out[`node${i}`] = readPid(`node-${i}/sockudo.pid`);
      for (let i = 1; i <= servers; i++) out[`server${i}`] = readPid(`server-${i}/server.pid`);
      return out;
    },
    /** SIGKILLs Sockudo node `i` (toolchain/cluster kill). */
    kill: (i) => cluster('kill', String(i)),
    /** Starts node `i` again and waits until the balancer sends it traffic. */
    start: (i) => cluster('start', String(i)),
    /**
     * The WebSockets the balancer holds open to each node now, {1: n, 2: m, ...} (HAProxy's CSV
     * stats, `scur` of backend sockudo's servers): which node a kill would cut clients from.
     */
    async nodeSockets() {
      const csv = await (await fetch(`http://127.0.0.1:${vars.CLUSTER_STATS_PORT}/stats;csv`)).text();
      const [header, ...rows] = csv.replace(/^# /, '').trim().split('\n').map((line) => line.split(','));
      const column = (name) => header.indexOf(name);
      const out = {};
      for (const row of rows) {
        const node = /^node(\d+)$/.exec(row[column('svname')] ?? '');
        if (row[column('pxname')] === 'sockudo' && node) out[node[1]] = Number(row[column('scur')]);
      }
      return out;
    },
    status: () => cluster('status').then((r) => r.stdout, (e) => `${e.stdout}${e.stderr}`),
    down,
  };
}
