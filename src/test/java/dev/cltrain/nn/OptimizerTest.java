package dev.cltrain.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cltrain.core.InputException;
import dev.cltrain.backend.AdamConstants;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The rules' registry and defaults: one place, read by the command line and Spark alike. */
class OptimizerTest {
  @Test
  void theHelpTextsNamesAreTheRegistrysInOrder() {
    assertEquals(Optimizer.kinds().stream().map(k -> k.id).collect(Collectors.joining("|")), Optimizer.NAMES);
  }

  @Test
  void nothingGivenIsEachRulesDefaults() {
    assertEquals(new Sgd(0.1f, 0), Optimizer.of("sgd", Optimizer.Options.NONE));
    assertEquals(new Momentum(0.01f, 0.9f, 0), Optimizer.of("momentum", Optimizer.Options.NONE));
    assertEquals(new Adam(0.001f, new AdamConstants(0.9f, 0.999f, 1e-8f), 0),
        Optimizer.of("adam", Optimizer.Options.NONE));
    for (Optimizer.Kind k : Optimizer.kinds()) {
      assertEquals(k.defaultLearningRate, k.build(Optimizer.Options.NONE).learningRate(), k.id);
      assertEquals(k, k.build(Optimizer.Options.NONE).kind(), k.id);
    }
  }

  @Test
  void givenValuesReachTheirRuleAndTheOthersAreStillChecked() {
    Optimizer.Options given = new Optimizer.Options(0.5f, 0.8f, 0.7f, 0.99f, 1e-6f, 0.01f);
    assertEquals(new Adam(0.5f, new AdamConstants(0.7f, 0.99f, 1e-6f), 0.01f), Optimizer.of("adam", given));
    assertEquals(new Momentum(0.5f, 0.8f, 0.01f), Optimizer.of("momentum", given));
    InputException e = assertThrows(InputException.class,
        () -> Optimizer.of("sgd", new Optimizer.Options(null, null, 1.5f, null, null, null)));
    assertEquals("Adam's beta1 and beta2 (beta1, beta2) must be in [0, 1), got 1.5 and 0.999", e.getMessage());
    assertEquals("optimizer: unknown optimizer 'rmsprop' (supported: sgd, momentum, adam, adamw)",
        assertThrows(InputException.class, () -> Optimizer.parse("rmsprop")).getMessage());
  }

  @Test
  void describeWritesTheRateAndConstantsAsBefore() {
    assertEquals("adam (η 0.001, β1 0.9, β2 0.999, ε 1e-08)", Optimizer.adam(0.001f).describe());
    assertEquals("momentum (η 0.01, μ 0.9, weight decay 0.0001)",
        Optimizer.momentum(0.01f, 0.9f).withWeightDecay(1e-4f).describe());
    assertEquals("sgd (η 0.1)", Optimizer.sgd(0.1f).describe());
  }
}
