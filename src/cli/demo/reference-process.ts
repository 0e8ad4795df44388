// Runs the reference model in its own process, so that on a small machine the model's sampling
// and the gateway each get a core. Resolves once it prints its URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defaultListenHost, DistillGuardError } from '../../core/index.js';

export interface ReferenceProcess {
  /** OpenAI base URL, with /v1. */
  url: string;
  stop(): Promise<void>;
}

const cliPath = fileURLToPath(new URL('../main.js', import.meta.url));

export function startReferenceProcess(): Promise<ReferenceProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [cliPath, 'refmodel', 'serve', '--port', '0', '--host', defaultListenHost],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      child.kill();
      reject(new DistillGuardError('internal', `the reference model did not start: ${why}`));
    };
    const timer = setTimeout(
      () => fail(`no answer in 60 s. Output: ${output.slice(-500)}`),
      60_000,
    );
    const onExit = (code: number | null) =>
      fail(`it exited with code ${code}. Output: ${output.slice(-500)}`);
    child.on('exit', onExit);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /listening on (http:\/\/\S+)/.exec(output);
      if (!found) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout?.off('data', onOutput);
      child.stdout?.resume(); // keep draining what it prints later
      resolve({
        url: `${found[1].replace(/\/+$/, '')}/v1`,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            // a ref'd timer keeps this process waiting for the child's exit, and kills it if it hangs
            const deadline = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(deadline);
              done();
            });
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout?.on('data', onOutput);
  });
}
