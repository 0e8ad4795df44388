// mt19937 against published outputs, and the reference (lm-watermarking) KGW green lists.
//
// How the vectors were derived (no Python or torch here):
// 1. mt19937: std::mt19937 is specified by the C++ standard to give 4123659995 as its 10000th
//    output for the default seed 5489 ([rand.predef]); its first output for 5489 is 3499211612,
//    for seed 1 it is 1791095845 and for seed 0 it is 2357136044 (values quoted widely for
//    std::mt19937 and Matsumoto's reference mt19937ar.c init_genrand). They come from outside this
//    code, so they check the generator and its seeding.
// 2. torch.randperm(n, generator) on CPU (aten/src/ATen/native/TensorFactories.cpp, randperm_cpu,
//    branch n < 2^32/20): r = 0..n-1; for i in 0..n-2: z = generator->random() % (n - i);
//    swap(r[i], r[i+z]). generator->random() is one 32-bit mt19937 output; manual_seed(s) seeds
//    mt19937 with s's low 32 bits (CPUGeneratorImpl). lm-watermarking's LeftHash seeds with
//    15485863 * previous_token and takes the first int(gamma * V) entries.
// 3. The permutation vectors are recomputed inside the tests from the generator's outputs by a
//    second, independent transcription of torch's loop: the check is that torchRandperm follows
//    the loop in (2); the stream itself is checked by (1).
// 4. Outputs of real PyTorch runs (CPU), as published:
//    - torch.manual_seed(137) then torch.randint(0, 0xFFFFFFFF, [1]) five times gives 4053805790,
//      2173880614, 380293709, 1237255315, 2986595568; after normal_ on 8 values (16 draws) the next
//      randint gives 2186503452, and after normal_ on 16 values (16 draws) 2756748748 (the
//      reference block of karpathy/llm.c llmc/rand.h, "PyTorch reference (producing identical
//      results)"). randint over a range below 2^32 is random() % range, so these are the raw
//      32-bit outputs of torch's CPU generator.
//    - torch.randperm(10, generator=torch.Generator().manual_seed(s)) on CPU, as asserted by public
//      test suites that run against PyTorch: s = 0 -> [4, 1, 7, 5, 3, 9, 0, 8, 6, 2], 1 -> [5, 6, 1,
//      2, 0, 8, 9, 3, 7, 4], 42 -> [2, 6, 1, 8, 4, 5, 0, 9, 3, 7], 2^32 + 1 -> the same as 1 (only
//      the low 32 bits seed), 2^53 - 1 -> [1, 4, 6, 2, 0, 5, 8, 7, 9, 3].
//    These check the generator's seeding and stream, and the randperm loop, against torch itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mt19937, lowBits32 } from './mt19937.js';
import {
  ReferenceGreenLists,
  referenceHashKey,
  referenceKgwGreenList,
  torchRandperm,
} from './reference-kgw.js';

test('mt19937 reproduces the published std::mt19937 outputs', () => {
  const generator = new Mt19937(5489);
  assert.equal(generator.nextUint32(), 3499211612);
  let last = 0;
  for (let index = 2; index <= 10000; index += 1) last = generator.nextUint32();
  assert.equal(last, 4123659995);
  assert.equal(new Mt19937(1).nextUint32(), 1791095845);
  assert.equal(new Mt19937(0).nextUint32(), 2357136044);
  assert.equal(new Mt19937().nextUint32(), 3499211612);
});

test("torch's CPU generator and randperm, as real PyTorch runs print them", () => {
  const generator = new Mt19937(137);
  const stream = Array.from({ length: 39 }, () => generator.nextUint32());
  assert.deepEqual(stream.slice(0, 5), [4053805790, 2173880614, 380293709, 1237255315, 2986595568]);
  assert.equal(stream[21], 2186503452, 'after 16 draws for normal_ on 8 values');
  assert.equal(stream[38], 2756748748, 'after 16 draws for normal_ on 16 values');
  const published: [number | bigint, number[]][] = [
    [0, [4, 1, 7, 5, 3, 9, 0, 8, 6, 2]],
    [1, [5, 6, 1, 2, 0, 8, 9, 3, 7, 4]],
    [42, [2, 6, 1, 8, 4, 5, 0, 9, 3, 7]],
    [2 ** 32 + 1, [5, 6, 1, 2, 0, 8, 9, 3, 7, 4]],
    [2n ** 53n - 1n, [1, 4, 6, 2, 0, 5, 8, 7, 9, 3]],
  ];
  for (const [seed, permutation] of published)
    assert.deepEqual(
      Array.from(torchRandperm(10, new Mt19937(seed))),
      permutation,
      `torch.randperm(10) with manual_seed(${seed})`,
    );
});

test('seeds keep only their low 32 bits, as torch manual_seed does', () => {
  assert.equal(lowBits32(2 ** 32 + 5489), 5489);
  assert.equal(new Mt19937(2 ** 32 + 5489).nextUint32(), 3499211612);
  assert.equal(new Mt19937(BigInt(2 ** 32) * 7n + 5489n).nextUint32(), 3499211612);
  // hash_key * token for cl100k ids stays a safe integer: 15485863 * 100276 < 2^53
  assert.ok(Number.isSafeInteger(referenceHashKey * 100276));
});

test('torch randperm: Fisher-Yates with random() % (n - i), applied step by step', () => {
  const outputs: number[] = [];
  const stream = new Mt19937(referenceHashKey);
  for (let index = 0; index < 4; index += 1) outputs.push(stream.nextUint32());
  const expected = [0, 1, 2, 3, 4];
  outputs.forEach((output, i) => {
    const z = output % (5 - i);
    [expected[i], expected[i + z]] = [expected[i + z], expected[i]];
  });
  assert.deepEqual([...torchRandperm(5, new Mt19937(referenceHashKey))], expected);
  const permutation = torchRandperm(1000, new Mt19937(12345));
  assert.deepEqual(
    [...permutation].sort((a, b) => a - b),
    Array.from({ length: 1000 }, (_, i) => i),
  );
});

test('reference green list: size int(gamma V), seeded by 15485863 * previous token', () => {
  const list = referenceKgwGreenList(42, 50257, 0.25);
  assert.equal(list.length, Math.trunc(50257 * 0.25)); // 12564
  assert.deepEqual(
    [...list],
    [...torchRandperm(50257, new Mt19937(15485863 * 42)).subarray(0, 12564)],
  );
  assert.equal(new Set(list).size, list.length);
  // previous token 0 seeds with 0: the permutation of mt19937(0)'s stream
  assert.deepEqual(
    [...referenceKgwGreenList(0, 10, 0.5)],
    [...torchRandperm(10, new Mt19937(0)).subarray(0, 5)],
  );
  const lists = new ReferenceGreenLists(50257, 0.25);
  assert.ok(lists.isGreen(42, list[0]));
  const green = new Set(list);
  let agree = 0;
  for (let token = 0; token < 2000; token += 1)
    if (lists.isGreen(42, token) === green.has(token)) agree += 1;
  assert.equal(agree, 2000);
});
