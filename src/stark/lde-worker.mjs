// Worker side of parallel.ts: takes LDE jobs from the shared counter until none are left.
// Plain JS so it starts under any loader; it registers tsx itself to reuse the TypeScript NTT.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { evaluateOnCoset, intt } = await import('./ntt.ts');

parentPort.on('message', (m) => {
  for (;;) {
    const k = Atomics.add(m.control, 0, 1);
    if (k >= m.inputs.length) break;
    const input = m.inputs[k];
    if (m.interpolate) intt(input);
    m.outputs[k].set(evaluateOnCoset(input, m.size, m.shift));
    Atomics.add(m.control, 1, 1);
    Atomics.notify(m.control, 1);
  }
});
