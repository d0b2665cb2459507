// `node bench/attach-profile.ts <pid> <seconds> <out.cpuprofile>`: a CPU profile of a running
// Node process (a bench's `cairn start`, say) for a few seconds, without restarting it:
// SIGUSR1 opens its inspector on 127.0.0.1:9229, the inspector's Profiler records, and the
// profile is written for `node bench/cpuprofile-top.ts`. For a process started without
// --cpu-prof, or to profile one phase (a fixture build, an initial sync) of a long run.
import { writeFile } from 'node:fs/promises';

const [pidArg, secondsArg, out] = process.argv.slice(2);
const pid = Number(pidArg);
const seconds = Number(secondsArg);
if (!Number.isInteger(pid) || !(seconds > 0) || !out) {
  throw new Error('usage: node bench/attach-profile.ts <pid> <seconds> <out.cpuprofile>');
}

process.kill(pid, 'SIGUSR1');
const targets = await waitForInspector();
const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl);
await new Promise((resolve, reject) => {
  socket.addEventListener('open', resolve, { once: true });
  socket.addEventListener('error', reject, { once: true });
});
const pending = new Map<number, (result: unknown) => void>();
socket.addEventListener('message', (message) => {
  const reply = JSON.parse(String(message.data)) as { id?: number; result?: unknown };
  if (reply.id !== undefined) pending.get(reply.id)?.(reply.result);
});
let lastId = 0;
const command = <T>(method: string, params: object = {}) =>
  new Promise<T>((resolve) => {
    const id = ++lastId;
    pending.set(id, resolve as (result: unknown) => void);
    socket.send(JSON.stringify({ id, method, params }));
  });

await command('Profiler.enable');
await command('Profiler.start');
process.stdout.write(`profiling ${pid} for ${seconds} s\n`);
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const { profile } = await command<{ profile: unknown }>('Profiler.stop');
await writeFile(out, JSON.stringify(profile));
socket.close();
process.stdout.write(`wrote ${out}\n`);

async function waitForInspector(): Promise<{ webSocketDebuggerUrl: string }[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const response = await fetch('http://127.0.0.1:9229/json/list');
      const list = (await response.json()) as { webSocketDebuggerUrl: string }[];
      if (list.length > 0) return list;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`process ${pid} opened no inspector on 127.0.0.1:9229`);
}
