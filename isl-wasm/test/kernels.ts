// Known-answer kernels: iteration domains, access relations and original
// schedules written as isl strings, with dependences derived by hand (see
// the comment on each kernel) and the loops that are parallel in the
// original order.

export interface Kernel {
  name: string;
  domain: string;
  mustWrites: string;
  reads: string;
  /** Original order; every statement has the same number of dimensions. */
  schedule: string;
  expected: { flow: string; anti: string; output: string };
  /** Per schedule dimension of `schedule`: does it carry no dependence? */
  parallelDims: boolean[];
}

export const kernels: Kernel[] = [
  {
    // for i, j: C[i][j] *= beta            (S0)
    //   for k: C[i][j] += A[i][k]*B[k][j]   (S1)
    // C[i][j] passes S0[i,j] -> S1[i,j,0] -> S1[i,j,1] -> ...: the same chain
    // is flow, anti and output.
    name: 'gemm',
    domain: '[ni, nj, nk] -> { S0[i, j] : 0 <= i < ni and 0 <= j < nj; S1[i, j, k] : 0 <= i < ni and 0 <= j < nj and 0 <= k < nk }',
    mustWrites: '[ni, nj, nk] -> { S0[i, j] -> C[i, j]; S1[i, j, k] -> C[i, j] }',
    reads: '[ni, nj, nk] -> { S0[i, j] -> C[i, j]; S1[i, j, k] -> C[i, j]; S1[i, j, k] -> A[i, k]; S1[i, j, k] -> B[k, j] }',
    schedule: '[ni, nj, nk] -> { S0[i, j] -> [i, j, 0, 0]; S1[i, j, k] -> [i, j, 1, k] }',
    expected: {
      flow: '[ni, nj, nk] -> { S0[i, j] -> S1[i, j, 0] : 0 <= i < ni and 0 <= j < nj and nk > 0; S1[i, j, k] -> S1[i, j, k + 1] : 0 <= i < ni and 0 <= j < nj and 0 <= k < nk - 1 }',
      anti: '[ni, nj, nk] -> { S0[i, j] -> S1[i, j, 0] : 0 <= i < ni and 0 <= j < nj and nk > 0; S1[i, j, k] -> S1[i, j, k + 1] : 0 <= i < ni and 0 <= j < nj and 0 <= k < nk - 1 }',
      output: '[ni, nj, nk] -> { S0[i, j] -> S1[i, j, 0] : 0 <= i < ni and 0 <= j < nj and nk > 0; S1[i, j, k] -> S1[i, j, k + 1] : 0 <= i < ni and 0 <= j < nj and 0 <= k < nk - 1 }',
    },
    parallelDims: [true, true, false, false],
  },
  {
    // for t: for i, j interior: B[i][j] = avg5(A around i, j)   (S0)
    //        for i, j interior: A[i][j] = B[i][j]               (S1)
    // flow: S0 -> S1 at the same point (B); S1[t, a, b] -> S0[t+1, i, j]
    //   for each interior neighbour (a, b) of (i, j) (A).
    // anti: S0[t, i, j] -> S1[t, a, b] (S0 reads A[a, b] before S1 writes it);
    //   S1[t, i, j] -> S0[t+1, i, j] (S1 reads B before S0 of t+1 writes it).
    // output: each statement to itself one time step later.
    name: 'jacobi-2d',
    domain: '[T, n] -> { S0[t, i, j] : 0 <= t < T and 1 <= i <= n - 2 and 1 <= j <= n - 2; S1[t, i, j] : 0 <= t < T and 1 <= i <= n - 2 and 1 <= j <= n - 2 }',
    mustWrites: '[T, n] -> { S0[t, i, j] -> B[i, j]; S1[t, i, j] -> A[i, j] }',
    reads: '[T, n] -> { S0[t, i, j] -> A[i, j]; S0[t, i, j] -> A[i, j - 1]; S0[t, i, j] -> A[i, j + 1]; S0[t, i, j] -> A[i + 1, j]; S0[t, i, j] -> A[i - 1, j]; S1[t, i, j] -> B[i, j] }',
    schedule: '[T, n] -> { S0[t, i, j] -> [t, 0, i, j]; S1[t, i, j] -> [t, 1, i, j] }',
    expected: {
      flow: '[T, n] -> { S0[t, i, j] -> S1[t, i, j] : 0 <= t < T and 1 <= i <= n - 2 and 1 <= j <= n - 2; ' +
        'S1[t, a, b] -> S0[t + 1, i, j] : 0 <= t < T - 1 and 1 <= i <= n - 2 and 1 <= j <= n - 2 and 1 <= a <= n - 2 and 1 <= b <= n - 2 and ' +
        '((a = i and b = j) or (a = i and b = j - 1) or (a = i and b = j + 1) or (a = i + 1 and b = j) or (a = i - 1 and b = j)) }',
      anti: '[T, n] -> { S0[t, i, j] -> S1[t, a, b] : 0 <= t < T and 1 <= i <= n - 2 and 1 <= j <= n - 2 and 1 <= a <= n - 2 and 1 <= b <= n - 2 and ' +
        '((a = i and b = j) or (a = i and b = j - 1) or (a = i and b = j + 1) or (a = i + 1 and b = j) or (a = i - 1 and b = j)); ' +
        'S1[t, i, j] -> S0[t + 1, i, j] : 0 <= t < T - 1 and 1 <= i <= n - 2 and 1 <= j <= n - 2 }',
      output: '[T, n] -> { S0[t, i, j] -> S0[t + 1, i, j] : 0 <= t < T - 1 and 1 <= i <= n - 2 and 1 <= j <= n - 2; S1[t, i, j] -> S1[t + 1, i, j] : 0 <= t < T - 1 and 1 <= i <= n - 2 and 1 <= j <= n - 2 }',
    },
    parallelDims: [false, false, true, true],
  },
  {
    // for t, i, j interior: A[i][j] = avg9(A[i-1..i+1][j-1..j+1])  (S, in place)
    // A read of A[a, b] by S[t, i, j] comes from S[t, a, b] when (a, b) is
    // lexicographically before (i, j), else from S[t-1, a, b]; the next write
    // of A[a, b] is S[t, a, b] when (a, b) is after (i, j), else S[t+1, a, b].
    name: 'seidel-2d',
    domain: '[T, n] -> { S[t, i, j] : 0 <= t < T and 1 <= i <= n - 2 and 1 <= j <= n - 2 }',
    mustWrites: '[T, n] -> { S[t, i, j] -> A[i, j] }',
    reads: '[T, n] -> { S[t, i, j] -> A[a, b] : i - 1 <= a <= i + 1 and j - 1 <= b <= j + 1 }',
    schedule: '[T, n] -> { S[t, i, j] -> [t, i, j] }',
    expected: {
      flow: '[T, n] -> { S[t, a, b] -> S[t, i, j] : 0 <= t < T and 1 <= i <= n - 2 and 1 <= j <= n - 2 and 1 <= a <= n - 2 and 1 <= b <= n - 2 and ' +
        '((a = i - 1 and j - 1 <= b <= j + 1) or (a = i and b = j - 1)); ' +
        'S[t, a, b] -> S[t + 1, i, j] : 0 <= t < T - 1 and 1 <= i <= n - 2 and 1 <= j <= n - 2 and 1 <= a <= n - 2 and 1 <= b <= n - 2 and ' +
        '((a = i + 1 and j - 1 <= b <= j + 1) or (a = i and j <= b <= j + 1)) }',
      anti: '[T, n] -> { S[t, i, j] -> S[t, a, b] : 0 <= t < T and 1 <= i <= n - 2 and 1 <= j <= n - 2 and 1 <= a <= n - 2 and 1 <= b <= n - 2 and ' +
        '((a = i + 1 and j - 1 <= b <= j + 1) or (a = i and b = j + 1)); ' +
        'S[t, i, j] -> S[t + 1, a, b] : 0 <= t < T - 1 and 1 <= i <= n - 2 and 1 <= j <= n - 2 and 1 <= a <= n - 2 and 1 <= b <= n - 2 and ' +
        '((a = i - 1 and j - 1 <= b <= j + 1) or (a = i and j - 1 <= b <= j)) }',
      output: '[T, n] -> { S[t, i, j] -> S[t + 1, i, j] : 0 <= t < T - 1 and 1 <= i <= n - 2 and 1 <= j <= n - 2 }',
    },
    parallelDims: [false, false, false],
  },
  {
    // for i in 1..n-1: A[i] = A[i-1] + A[i]   (S)
    // Each A[i] is written once, after its last read: flow only.
    name: 'prefix-sum',
    domain: '[n] -> { S[i] : 1 <= i < n }',
    mustWrites: '[n] -> { S[i] -> A[i] }',
    reads: '[n] -> { S[i] -> A[i - 1]; S[i] -> A[i] }',
    schedule: '[n] -> { S[i] -> [i] }',
    expected: {
      flow: '[n] -> { S[i] -> S[i + 1] : 1 <= i < n - 1 }',
      anti: '[n] -> { }',
      output: '[n] -> { }',
    },
    parallelDims: [false],
  },
  {
    // for i in 1..n-1: for j in 0..i-1: A[i][j] = 2 * A[i-1][j]   (S)
    // A[i-1][j] was written by S[i-1, j] only when j < i - 1.
    name: 'triangular',
    domain: '[n] -> { S[i, j] : 1 <= i < n and 0 <= j < i }',
    mustWrites: '[n] -> { S[i, j] -> A[i, j] }',
    reads: '[n] -> { S[i, j] -> A[i - 1, j] }',
    schedule: '[n] -> { S[i, j] -> [i, j] }',
    expected: {
      flow: '[n] -> { S[i, j] -> S[i + 1, j] : 1 <= i < n - 1 and 0 <= j < i }',
      anti: '[n] -> { }',
      output: '[n] -> { }',
    },
    parallelDims: [false, true],
  },
  {
    // s = 0 (S0); for i: s = s + x[i] (S1): a chain through s.
    name: 'reduction',
    domain: '[n] -> { S0[]; S1[i] : 0 <= i < n }',
    mustWrites: '[n] -> { S0[] -> s[]; S1[i] -> s[] }',
    reads: '[n] -> { S1[i] -> s[]; S1[i] -> x[i] }',
    schedule: '[n] -> { S0[] -> [0, 0]; S1[i] -> [1, i] }',
    expected: {
      flow: '[n] -> { S0[] -> S1[0] : n > 0; S1[i] -> S1[i + 1] : 0 <= i < n - 1 }',
      anti: '[n] -> { S1[i] -> S1[i + 1] : 0 <= i < n - 1 }',
      output: '[n] -> { S0[] -> S1[0] : n > 0; S1[i] -> S1[i + 1] : 0 <= i < n - 1 }',
    },
    parallelDims: [false, false],
  },
];
