// Runs a WASI preview1 command under node's WASI (node:wasi, uvwasi), taking
// the part of wvm's command line the WASI tests use, so wvm-wasi-runner can
// compare the two engines on the same program:
//   node node_wasi.mjs [--env KEY=VALUE]... [--dir HOST[::GUEST]]... FILE.wasm [ARGS...]
// argv[0] is FILE as given, the environment only the --env pairs; the exit
// code is the program's (proc_exit's, or 0 when _start returns).
import { readFile } from 'node:fs/promises';
import process from 'node:process';
import { WASI } from 'node:wasi';

const argv = process.argv.slice(2);
const env = {};
const preopens = {};
let i = 0;
for (; i < argv.length && argv[i].startsWith('--'); i += 2) {
  const [option, value] = [argv[i], argv[i + 1] ?? ''];
  if (option === '--env') {
    const eq = value.indexOf('=');
    env[value.slice(0, eq)] = value.slice(eq + 1);
  } else if (option === '--dir') {
    const [host, guest] = value.split('::');
    preopens[guest ?? host] = host;
  } else {
    console.error(`node_wasi.mjs: unknown option ${option}`);
    process.exit(2);
  }
}
const file = argv[i];
if (file === undefined) {
  console.error('usage: node node_wasi.mjs [--env K=V]... [--dir HOST[::GUEST]]... FILE.wasm [ARGS...]');
  process.exit(2);
}
const wasi = new WASI({ version: 'preview1', args: argv.slice(i), env, preopens, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });
process.exitCode = wasi.start(instance);
