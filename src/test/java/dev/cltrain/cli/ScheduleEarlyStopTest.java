package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.Model;
import dev.cltrain.opencl.ClDevice;
import dev.cltrain.testing.OpenClDevices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: --early-stop/--monitor/--save-best, --lr-schedule/--warmup-epochs, val_/test_ names, the labelled
 * summary losses.
 */
class ScheduleEarlyStopTest {
  @TempDir
  Path dir;

  /** XOR to train on, and its inverse as the "test" set: as the net learns XOR, the test loss must rise. */
  private Path[] xorAndInverse() throws Exception {
    Path train = Files.writeString(dir.resolve("xor.csv"), "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
    Path inverse = Files.writeString(dir.resolve("inverse.csv"), "a,b,y\n0,0,1\n0,1,0\n1,0,0\n1,1,1\n");
    return new Path[] {train, inverse};
  }

  @Test
  void earlyStopEndsWhenTheTestLossRisesAndSaveBestKeepsTheBestEpoch() throws Exception {
    Path[] data = xorAndInverse();
    Path best = dir.resolve("best.json");
    Path last = dir.resolve("last.json");
    Cli run = Cli.run("train", "--data", data[0].toString(), "--test", data[1].toString(), "--layers", "2,4,1",
        "--lr", "2", "--epochs", "3000", "--device", "reference", "--early-stop", "50", "--save-best", best.toString(),
        "--save", last.toString());
    assertEquals(0, run.exit(), run.toString());
    assertTrue(run.out().contains("epochs:      65 (epochs 0 to 64, stopped early)"), run.toString());
    assertTrue(run.out().contains("early stop:  stopped after epoch 64, test_loss not improved for 50 epochs; "
        + "best test_loss 0.1272 at epoch 14"), run.toString());
    assertTrue(run.out().contains("best model:  " + best + " (epoch 14, test_loss 0.1272)"), run.toString());
    assertFalse(Files.readString(best).equals(Files.readString(last)), "the best epoch's weights, not the last's");
    assertTrue(Files.list(dir).noneMatch(p -> p.getFileName().toString().startsWith(".")), "no temporary left");
    Model.load(best); // a model file like --save's

    // the same run again: the same bytes (deterministic)
    Path again = dir.resolve("again.json");
    Cli second = Cli.run("train", "--data", data[0].toString(), "--test", data[1].toString(), "--layers", "2,4,1",
        "--lr", "2", "--epochs", "3000", "--device", "reference", "--early-stop", "50", "--save-best", again.toString());
    assertEquals(0, second.exit(), second.toString());
    assertArrayEquals(Files.readAllBytes(best), Files.readAllBytes(again));
  }

  @Test
  void monitorsNeedTheirSetsAndNamesAreChecked() throws Exception {
    Cli noValidation = Cli.run("train", "--early-stop", "3", "--monitor", "val_loss");
    assertEquals(2, noValidation.exit(), noValidation.toString());
    assertTrue(noValidation.err().contains("--monitor val_loss needs a validation split"), noValidation.toString());
    Cli unknown = Cli.run("train", "--early-stop", "3", "--monitor", "val_los");
    assertEquals(2, unknown.exit(), unknown.toString());
    assertTrue(unknown.err().contains("unknown figure 'val_los'"), unknown.toString());
    Cli alone = Cli.run("train", "--monitor", "loss");
    assertEquals(2, alone.exit(), alone.toString());
    Cli schedule = Cli.run("train", "--lr-schedule", "step:0:0.5");
    assertEquals(2, schedule.exit(), schedule.toString());
    Cli bogus = Cli.run("train", "--lr-schedule", "linear");
    assertEquals(2, bogus.exit(), bogus.toString());
    assertTrue(bogus.err().contains("expected step:EVERY:GAMMA, cosine, exponential:GAMMA or constant"), bogus.toString());
  }

  @Test
  void metricsNameValidationAndTestColumnsApartAndTheSummaryLabelsItsLosses() throws Exception {
    Path[] data = xorAndInverse();
    Path metrics = dir.resolve("m.csv");
    Cli run = Cli.run("train", "--data", "random:200x6x3", "--layers", "6,8,3", "--loss", "xent", "--validation-split", "0.25",
        "--batch-size", "50", "--epochs", "4", "--device", "reference", "--metrics", metrics.toString());
    assertEquals(0, run.exit(), run.toString());
    List<String> rows = Files.readAllLines(metrics);
    assertEquals("epoch,loss,train_accuracy,val_loss,val_accuracy,test_loss,test_accuracy,seconds", rows.get(0));
    assertTrue(rows.get(1).startsWith("0,") && rows.get(1).matches("0,[^,]+,[^,]+,[^,]+,[^,]+,,,[^,]+"), rows.get(1));
    assertEquals(5, rows.size(), "epochs 0 to 3");
    // the last epoch's mean over batches and the end weights' loss, each labelled
    assertTrue(run.out().contains("last epoch:  loss ") && run.out().contains("(epoch 3: the mean over its batches"),
        run.toString());
    assertTrue(run.out().contains("(the end weights on the 150 training rows)"), run.toString());

    Cli test = Cli.run("train", "--data", data[0].toString(), "--test", data[1].toString(), "--layers", "2,4,1",
        "--epochs", "3", "--device", "reference", "--metrics", metrics.toString());
    assertEquals(0, test.exit(), test.toString());
    assertTrue(Files.readAllLines(metrics).get(1).matches("0,[^,]+,,,,[^,]+,,[^,]+"), Files.readAllLines(metrics).get(1));
  }

  private static final Pattern VERIFY = Pattern.compile("largest weight difference (\\S+), largest loss difference (\\S+)");

  @Test
  void aScheduleKeepsVerifyBitExactOnPocl() {
    ClDevice cpu = OpenClDevices.firstCpu();
    Cli plain = Cli.run("train", "--data", "xor", "--layers", "2,4,1", "--lr", "2", "--epochs", "300",
        "--device", cpu.ref(), "--verify");
    Cli run = Cli.run("train", "--data", "xor", "--layers", "2,4,1", "--lr", "2", "--epochs", "300",
        "--device", cpu.ref(), "--verify", "--lr-schedule", "cosine", "--warmup-epochs", "20");
    assertEquals(0, run.exit(), run.toString());
    Matcher m = VERIFY.matcher(run.out());
    assertTrue(m.find(), run.toString());
    assertEquals("0.0e+00", m.group(1), "weights bit for bit with a schedule: " + run);
    assertNotEquals(finalLoss(plain), finalLoss(run), "the schedule changes the training");
    Cli step = Cli.run("train", "--data", "random:120x5x3", "--layers", "5,7,3", "--loss", "xent", "--batch-size", "32",
        "--optimizer", "adam", "--lr", "0.01", "--epochs", "12", "--device", cpu.ref(), "--verify",
        "--lr-schedule", "step:4:0.5", "--warmup-epochs", "2");
    assertEquals(0, step.exit(), step.toString());
    Matcher s = VERIFY.matcher(step.out());
    assertTrue(s.find(), step.toString());
    assertEquals("0.0e+00", s.group(1), step.toString());
  }

  private static String finalLoss(Cli run) {
    Matcher m = Pattern.compile("final loss:  (\\S+)").matcher(run.out());
    assertTrue(m.find(), run.toString());
    return m.group(1);
  }

  @Test
  void resumeMidScheduleEqualsTheUninterruptedRunByteForByte() throws Exception {
    List<String> common = List.of("--data", "random:120x5x3", "--layers", "5,7,3", "--loss", "xent", "--batch-size",
        "32", "--optimizer", "momentum", "--lr", "0.2", "--device", "reference", "--lr-schedule", "step:3:0.5",
        "--warmup-epochs", "2");
    Path full = dir.resolve("full.json");
    Cli whole = Cli.run(args(common, "train", "--epochs", "12", "--save", full.toString()));
    assertEquals(0, whole.exit(), whole.toString());
    Path checkpoint = dir.resolve("ckpt.json");
    Cli part = Cli.run(args(common, "train", "--epochs", "5", "--checkpoint", checkpoint.toString()));
    assertEquals(0, part.exit(), part.toString());
    assertTrue(Files.readString(checkpoint).contains("step:3:0.5"), "the schedule is in the checkpoint");
    Path resumed = dir.resolve("resumed.json");
    Cli rest = Cli.run("train", "--resume", checkpoint.toString(), "--epochs", "12", "--save", resumed.toString(),
        "--device", "reference");
    assertEquals(0, rest.exit(), rest.toString());
    assertArrayEquals(Files.readAllBytes(full), Files.readAllBytes(resumed), "the same model, byte for byte");
    Cli clash = Cli.run("train", "--resume", checkpoint.toString(), "--lr-schedule", "cosine");
    assertEquals(2, clash.exit(), clash.toString());
  }

  private static String[] args(List<String> common, String... first) {
    List<String> all = new java.util.ArrayList<>(List.of(first));
    all.addAll(common);
    return all.toArray(String[]::new);
  }
}
