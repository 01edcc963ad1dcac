// Runs one Solidity twin of a benchmark workload on an EVM node and prints
// its result in wvm-bench-native's format, so the two can be compared.
//
//   node bench/evm/run_evm.mjs FILE.sol CONTRACT ITERATIONS [REPEATS] [--rpc URL] [--gas]
//       prints `checksum=<u64> ms=<median ms of one eth_call>`
//
// ITERATIONS may be a comma-separated list (`0,1,3`): one line per count, in
// order, from one compilation and deployment.
//
// Compiles FILE.sol with the pinned solc-js (build/npm-evm, see README.md),
// deploys CONTRACT from the node's first unlocked account (anvil's funded dev
// account), then, per count, times REPEATS (default 1) eth_calls of
// run(ITERATIONS) against the latest block. Each call starts from the deployed
// state, so a workload that writes storage (erc20) does the same work every
// call. The time is wall time around the HTTP request, so it includes the
// JSON-RPC round trip and anvil's per-call set-up (see README.md). It starts
// no node itself: bench/evm/run.sh starts anvil and passes --rpc. --gas also
// sends, per count, one transaction of run(ITERATIONS) to a fresh instance and
// prints its gasUsed (21000 intrinsic gas and calldata included) as `gas=<n>`
// on stderr.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const kRepo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const kNpmDir = process.env.EVM_NPM_DIR ?? path.join(kRepo, 'build', 'npm-evm');
// Pinned with the compiler (solc 0.8.37's default target); anvil must run the
// same hardfork or newer (run.sh passes --hardfork osaka).
const kEvmVersion = 'osaka';
// Far above any call here; anvil needs --disable-block-gas-limit to accept it.
const kCallGas = 1n << 40n;

function usage() {
  console.error(
      'usage: node run_evm.mjs FILE.sol CONTRACT N[,N...] [REPEATS] [--rpc URL] [--gas]\n' +
      '       node run_evm.mjs FILE.sol CONTRACT --bytecode   (prints the creation bytecode)');
  process.exit(1);
}

function parse_args(argv) {
  const args = { rpc: 'http://127.0.0.1:8545', gas: false, positional: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--rpc' && i + 1 < argv.length) {
      args.rpc = argv[++i];
    } else if (argv[i] === '--gas') {
      args.gas = true;
    } else if (argv[i] === '--bytecode') {
      args.bytecode = true;
    } else if (argv[i].startsWith('--')) {
      usage();
    } else {
      args.positional.push(argv[i]);
    }
  }
  const [file, contract, iterations, repeats] = args.positional;
  if (args.bytecode) {
    if (args.positional.length !== 2) usage();
    return { ...args, file: path.resolve(file), contract };
  }
  if (args.positional.length < 3 || args.positional.length > 4) usage();
  args.iterations = iterations.split(',').map((n) => {
    if (!/^\d+$/.test(n) || BigInt(n) >= 1n << 32n) usage();
    return Number(n);
  });
  args.file = path.resolve(file);
  args.contract = contract;
  args.repeats = Math.max(1, Number.parseInt(repeats ?? '1', 10) || 1);
  return args;
}

// Standard-JSON compile; imports resolve relative to the importing file.
function compile(file, contract) {
  const require = createRequire(path.join(kNpmDir, 'package.json'));
  const solc = require('solc');
  const dir = path.dirname(file);
  const name = path.basename(file);
  const input = {
    language: 'Solidity',
    sources: { [name]: { content: readFileSync(file, 'utf8') } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: kEvmVersion,
      outputSelection: { '*': { '*': ['evm.bytecode.object', 'evm.methodIdentifiers'] } },
    },
  };
  const find_imports = (p) => {
    try {
      return { contents: readFileSync(path.resolve(dir, p), 'utf8') };
    } catch (e) {
      return { error: e.message };
    }
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input), { import: find_imports }));
  let failed = false;
  for (const e of out.errors ?? []) {
    if (e.errorCode === '1878') continue;  // no SPDX line: the repository names no licence
    console.error(e.formattedMessage);
    failed ||= e.severity === 'error';
  }
  if (failed) process.exit(2);
  const c = out.contracts?.[name]?.[contract];
  if (!c) {
    console.error(`run_evm: no contract ${contract} in ${file}`);
    process.exit(2);
  }
  const selector = c.evm.methodIdentifiers['run(uint32)'];
  if (!selector) {
    console.error(`run_evm: ${contract} has no run(uint32)`);
    process.exit(2);
  }
  return { bytecode: '0x' + c.evm.bytecode.object, selector, version: solc.version() };
}

let rpc_id = 0;
async function rpc(url, method, params) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: ++rpc_id, method, params }),
  });
  const body = await res.json();
  if (body.error) {
    throw new Error(`${method}: ${body.error.message}` +
                    (body.error.data ? ` (data ${JSON.stringify(body.error.data)})` : ''));
  }
  return body.result;
}

const hex = (n) => '0x' + BigInt(n).toString(16);

async function send_and_wait(url, tx) {
  const hash = await rpc(url, 'eth_sendTransaction', [tx]);
  for (let tries = 0; tries < 600; tries++) {
    const receipt = await rpc(url, 'eth_getTransactionReceipt', [hash]);
    if (receipt) {
      if (receipt.status !== '0x1') throw new Error(`transaction ${hash} failed`);
      return receipt;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no receipt for ${hash}`);
}

async function deploy(url, from, bytecode) {
  const receipt = await send_and_wait(url, { from, data: bytecode, gas: hex(30_000_000) });
  return receipt.contractAddress;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

// Times `repeats` eth_calls of `data`; returns the checksum and median ms.
async function time_calls(url, call, repeats) {
  const times = [];
  let checksum = null;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const result = await rpc(url, 'eth_call', [call, 'latest']);
    const t1 = performance.now();
    // run() returns one uint64, ABI-encoded as a 32-byte word.
    if (!/^0x[0-9a-f]{64}$/i.test(result)) throw new Error(`eth_call returned ${result}`);
    const sum = BigInt(result);
    if (checksum !== null && sum !== checksum) {
      console.error('run_evm: the checksum changed between calls');
      process.exit(5);
    }
    checksum = sum;
    times.push(t1 - t0);
  }
  return { checksum, ms: median(times) };
}

async function main() {
  const args = parse_args(process.argv.slice(2));
  const { bytecode, selector } = compile(args.file, args.contract);
  if (args.bytecode) {  // for an EVMC VM (wvm-evmc-run): no node needed
    console.log(bytecode);
    return;
  }
  const [from] = await rpc(args.rpc, 'eth_accounts', []);
  const to = await deploy(args.rpc, from, bytecode);
  for (const n of args.iterations) {
    const data = '0x' + selector + n.toString(16).padStart(64, '0');
    const { checksum, ms } =
        await time_calls(args.rpc, { from, to, data, gas: hex(kCallGas) }, args.repeats);
    console.log(`checksum=${checksum} ms=${ms.toFixed(3)}`);
    if (args.gas) {
      const fresh = await deploy(args.rpc, from, bytecode);
      const receipt = await send_and_wait(args.rpc, { from, to: fresh, data, gas: hex(kCallGas) });
      console.error(`gas=${BigInt(receipt.gasUsed)}`);
    }
  }
}

main().catch((e) => {
  console.error(`run_evm: ${e.message}`);
  process.exit(3);
});
