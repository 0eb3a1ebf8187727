package dev.cltrain.nn;

/**
 * NumPy's legacy generator, bit for bit: MT19937 seeded as {@code np.random.seed(seed)} does, and the
 * polar Box–Muller Gaussian of {@code np.random.randn} (legacy_gauss, which caches the second value).
 * {@code new NumpyRandom(0).randn()} returns 1.764052345967664, as {@code np.random.seed(0);
 * np.random.randn()} prints.
 */
public final class NumpyRandom {
  private static final int N = 624;
  private static final int M = 397;
  private final int[] mt = new int[N];
  private int index;
  private boolean hasGauss;
  private double gauss;

  /**
   * {@code np.random.seed(seed)}, for 0 ≤ seed &lt; 2³².
   *
   * @param seed the seed, 0 to 2³²−1
   * @throws IllegalArgumentException if the seed is negative or needs more than 32 bits
   */
  public NumpyRandom(long seed) {
    if (seed < 0 || seed > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("seed must be between 0 and 2^32 - 1: " + seed);
    }
    mt[0] = (int) seed;
    for (int i = 1; i < N; i++) {
      mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
    }
    index = N;
  }

  /**
   * The generator's whole state, as NumPy's {@code get_state()} gives it: the 624 words, the position in them,
   * and the cached second Gaussian.
   *
   * @param key      the 624 MT19937 state words
   * @param pos      the position of the next word to temper, 0 to 624 (624: twist before the next draw)
   * @param hasGauss whether a second Gaussian is cached for the next {@link #randn()}
   * @param gauss    the cached Gaussian, meaningful only if {@code hasGauss}
   */
  public record State(int[] key, int pos, boolean hasGauss, double gauss) {}

  /** @return a snapshot of this generator's state (the words copied), for {@link #fromState} */
  public State state() {
    return new State(mt.clone(), index, hasGauss, gauss);
  }

  /**
   * A generator in {@code state}: it produces the draws the generator the state was taken from would.
   *
   * @param state a state as {@link #state()} gives it
   * @return a new generator in that state (the words copied)
   * @throws IllegalArgumentException if it is not an MT19937 state (no key, not 624 words, position out of
   *     range)
   */
  public static NumpyRandom fromState(State state) {
    if (state.key() == null || state.key().length != N || state.pos() < 0 || state.pos() > N) {
      throw new IllegalArgumentException("not an MT19937 state: " + (state.key() == null ? "no key"
          : state.key().length + " words at position " + state.pos()));
    }
    NumpyRandom r = new NumpyRandom(0);
    System.arraycopy(state.key(), 0, r.mt, 0, N);
    r.index = state.pos();
    r.hasGauss = state.hasGauss();
    r.gauss = state.gauss();
    return r;
  }

  /**
   * Puts this generator in {@code source}'s state: both produce the same draws from here on.
   *
   * @param source the generator to copy the state of; it is not changed
   */
  public void setState(NumpyRandom source) {
    System.arraycopy(source.mt, 0, mt, 0, N);
    index = source.index;
    hasGauss = source.hasGauss;
    gauss = source.gauss;
  }

  /** @return an independent generator in the same state: both produce the same draws from here on */
  public NumpyRandom copy() {
    NumpyRandom c = new NumpyRandom(0);
    System.arraycopy(mt, 0, c.mt, 0, N);
    c.index = index;
    c.hasGauss = hasGauss;
    c.gauss = gauss;
    return c;
  }

  /** @return the next 32 random bits, as an unsigned value in an int (genrand_int32) */
  public int nextInt32() {
    if (index >= N) {
      twist();
    }
    int y = mt[index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y;
  }

  private void twist() {
    for (int i = 0; i < N; i++) {
      int y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff);
      int next = mt[(i + M) % N] ^ (y >>> 1);
      mt[i] = (y & 1) != 0 ? next ^ 0x9908b0df : next;
    }
    index = 0;
  }

  /** @return a double in [0, 1) with 53 random bits ({@code np.random.random_sample}); two 32-bit draws */
  public double nextDouble() {
    long a = Integer.toUnsignedLong(nextInt32()) >>> 5;
    long b = Integer.toUnsignedLong(nextInt32()) >>> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  /** @return one standard normal draw ({@code np.random.randn()}) */
  public double randn() {
    if (hasGauss) {
      hasGauss = false;
      return gauss;
    }
    double x1;
    double x2;
    double r2;
    do {
      x1 = 2.0 * nextDouble() - 1.0;
      x2 = 2.0 * nextDouble() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    double f = Math.sqrt(-2.0 * StrictMath.log(r2) / r2);
    gauss = f * x1;
    hasGauss = true;
    return f * x2;
  }

  /**
   * {@code count} draws of {@link #randn()}, each rounded to float32.
   *
   * @param count how many draws
   * @return the draws, in order
   */
  public float[] randnFloats(int count) {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = (float) randn();
    }
    return values;
  }

  /**
   * A uniform integer in [0, max], as NumPy's legacy random_interval: masked 32-bit draws, rejecting those over max.
   *
   * @param max the largest value, 0 to 2³²−1; 0 draws nothing
   * @return the draw, 0 to {@code max}
   * @throws IllegalArgumentException if {@code max} needs more than 32 bits
   */
  public long interval(long max) {
    if (max == 0) {
      return 0;
    }
    long mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask |= mask >>> 32;
    if (max > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("interval beyond 32 bits: " + max);
    }
    long value;
    do {
      value = Integer.toUnsignedLong(nextInt32()) & mask;
    } while (value > max);
    return value;
  }

  /**
   * Shuffles in place as {@code np.random.shuffle} does on a 1-D array (legacy Fisher–Yates from the end).
   *
   * @param values the array to shuffle, in place
   */
  public void shuffle(int[] values) {
    for (int i = values.length - 1; i > 0; i--) {
      int j = (int) interval(i);
      int t = values[i];
      values[i] = values[j];
      values[j] = t;
    }
  }

  /**
   * {@code np.random.permutation(n)}: 0..n−1 shuffled.
   *
   * @param n how many indices
   * @return 0 to n−1 in shuffled order
   */
  public int[] permutation(int n) {
    int[] values = new int[n];
    for (int i = 0; i < n; i++) {
      values[i] = i;
    }
    shuffle(values);
    return values;
  }
}
