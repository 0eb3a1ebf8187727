package dev.cltrain.reference;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ReferencePeak}'s chains with the Vector API: ten FloatVector accumulators of the preferred species, each
 * step {@code a = a·m + m} as one {@code fma}. Loaded by reflection only when the JVM has jdk.incubator.vector.
 */
final class VectorFmaChains implements ReferencePeak.Chains {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  @Override
  public int lanes() {
    return S.length();
  }

  @Override
  public String describe() {
    return "FloatVector.fma";
  }

  @Override
  public float run(int iterations, float seed) {
    FloatVector m = FloatVector.broadcast(S, 0.999f);
    FloatVector a0 = FloatVector.broadcast(S, seed);
    FloatVector a1 = FloatVector.broadcast(S, seed + 0.1f);
    FloatVector a2 = FloatVector.broadcast(S, seed + 0.2f);
    FloatVector a3 = FloatVector.broadcast(S, seed + 0.3f);
    FloatVector a4 = FloatVector.broadcast(S, seed + 0.4f);
    FloatVector a5 = FloatVector.broadcast(S, seed + 0.5f);
    FloatVector a6 = FloatVector.broadcast(S, seed + 0.6f);
    FloatVector a7 = FloatVector.broadcast(S, seed + 0.7f);
    FloatVector a8 = FloatVector.broadcast(S, seed + 0.8f);
    FloatVector a9 = FloatVector.broadcast(S, seed + 0.9f);
    for (int i = 0; i < iterations; i++) {
      a0 = a0.fma(m, m);
      a1 = a1.fma(m, m);
      a2 = a2.fma(m, m);
      a3 = a3.fma(m, m);
      a4 = a4.fma(m, m);
      a5 = a5.fma(m, m);
      a6 = a6.fma(m, m);
      a7 = a7.fma(m, m);
      a8 = a8.fma(m, m);
      a9 = a9.fma(m, m);
    }
    return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9)
        .reduceLanes(VectorOperators.ADD);
  }
}
