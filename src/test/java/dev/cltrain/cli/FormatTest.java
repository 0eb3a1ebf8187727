package dev.cltrain.cli;

import dev.cltrain.cmd.EpochLines;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cltrain.nn.Optimizer;
import org.junit.jupiter.api.Test;

/** How numbers read in the summary, the plot's heading and the optimizer's description. */
class FormatTest {
  @Test
  void aSlowRunsRateKeepsADecimalAndAFastOneIsWhole() {
    assertEquals("1.4 epochs/s", Format.rate(1.4, "epochs/s"), "not '1 epochs/s'");
    assertEquals("9.9 epochs/s", Format.rate(9.94, "epochs/s"));
    assertEquals("27201 epochs/s", Format.rate(27201.3, "epochs/s"));
  }

  @Test
  void ratesAreWrittenAsPeopleWriteThemNotInJavasExponentForm() {
    assertEquals("adam (η 0.0005, β1 0.9, β2 0.999, ε 1e-08)", Optimizer.adam(5e-4f).describe());
    assertEquals("sgd (η 2.0)", Optimizer.sgd(2f).describe());
    assertEquals("0.1", Optimizer.decimal(0.1f));
    assertEquals("1e-05", Optimizer.decimal(1e-5f));
    assertEquals("1e+20", Optimizer.decimal(1e20f));
    assertEquals("-0.25", Optimizer.decimal(-0.25f));
  }

  /**
   * Issue 24 item 4: one formatter for every log line. 0.03125 is a tie at four digits: half-even (Python's
   * f-string, the seed's) gives 0.0312, Java's %.4f gave 0.0313 in early stopping's line.
   */
  @Test
  void theEpochLineAndEarlyStoppingsBestValueRoundATieAlike() {
    assertEquals("0.0313", String.format(java.util.Locale.ROOT, "%.4f", 0.03125), "the tie %.4f rounds up");
    assertEquals("0.0312", dev.cltrain.io.Decimals.fixed(0.03125, 4));
    assertEquals("Epoch 3, Loss: 0.0312", EpochLines.epoch(3, 0.03125f, 0, false, java.util.Map.of()));
    assertEquals("best loss 0.0312 at epoch 3",
        new dev.cltrain.EarlyStopping.Outcome(3, 0.03125f, false, 5).describe("loss"));
  }
}
