package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cltrain.Data;
import dev.cltrain.device.DeviceChoice;
import dev.cltrain.Devices;
import dev.cltrain.Model;
import dev.cltrain.device.Trainer;
import dev.cltrain.Training;
import dev.cltrain.TrainingResult;
import dev.cltrain.data.TrainingData;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.testing.IdxFolders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library and {@code cltrain train} make the same model from the same data, network, options and seed:
 * the same file, byte for byte (weights drawn and mini-batches shuffled by one generator, the input scale, the
 * standardization, the class names and the training facts), so a model trained through the API evaluates, from
 * its file alone, to the figures its training reported. On the reference, in mini-batches that are shuffled.
 */
class LibraryMatchesCliTest {
  @TempDir
  static Path dir;
  static Path idx;

  @BeforeAll
  static void writeImages() throws IOException {
    idx = IdxFolders.write(dir.resolve("idx"));
  }

  /** The IDX run both ways: 36,8,3 relu, xent, Adam 0.01, batches of 32 from 240 rows, 4 epochs, seed 3. */
  private static final String[] IDX_RUN = {"train", "--data", "IDX", "--layers", "36,8,3", "--activation", "relu",
      "--loss", "xent", "--optimizer", "adam", "--lr", "0.01", "--batch-size", "32", "--epochs", "4", "--seed", "3",
      "--device", "reference", "--quiet"};

  private static Training idxRun() {
    return Training.of(Network.builder(36, 8, 3).hidden(Activation.RELU).loss(Loss.XENT).seed(3), Data.idx(idx))
        .optimizer(Optimizer.adam(0.01f)).batchSize(32).epochs(4).device(Devices.reference());
  }

  @Test
  void anApiModelOfIdxImagesKeepsTheirScaleSoEvalAndPredictGiveTrainingsFigures() throws Exception {
    TrainingResult result = idxRun().run();
    Path file = dir.resolve("api-idx.json");
    result.model().save(file);
    Model model = Model.load(file);
    assertEquals(1 / 255f, model.network().inputScale(), 0f, "the model keeps the IDX input scale");

    Trainer.Evaluation test = result.heldOut().get("Test");
    Cli eval = Cli.run("eval", "--model", file.toString(), "--data", idx.toString(), "--device", "reference");
    assertEquals(0, eval.exit(), eval.toString());
    assertEquals(Format.fixed(test.loss(), 4), IdxModelRoundTripTest.field(eval, "loss"),
        "cltrain eval of the saved model gives training's test loss\n" + eval);
    assertEquals(Format.fixed(test.accuracy(), 4), IdxModelRoundTripTest.field(eval, "accuracy").split(" ")[0],
        "and its test accuracy\n" + eval);

    // Model.predict takes raw pixels 0..255: the same outputs as the evaluation of the scaled test rows
    Model.Scored scored = model.evaluate(Data.labelledFor(model, idx.toString()), DeviceChoice.of(Devices.reference()));
    float[] raw = new float[36];
    byte[] images = Files.readAllBytes(idx.resolve("t10k-images-idx3-ubyte"));
    for (int i = 0; i < 36; i++) {
      raw[i] = images[16 + i] & 0xff; // the first test image, after the 16-byte header
    }
    float[] predicted = model.predict(raw);
    for (int c = 0; c < 3; c++) {
      assertEquals(scored.evaluation().outputs()[c], predicted[c], 0f, "class " + c + " of the first test row");
    }
  }

  @Test
  void theApiAndTheCliWriteTheSameModelForTheSameSeedWithShuffledMiniBatches() throws Exception {
    Path api = dir.resolve("api-seed.json");
    idxRun().run().model().save(api);
    Path cli = dir.resolve("cli-seed.json");
    Cli run = Cli.run(with(IDX_RUN, "--save", cli.toString()));
    assertEquals(0, run.exit(), run.toString());
    assertEquals(Files.readString(cli), Files.readString(api),
        "Network.builder(...).seed(3) with Training.of is cltrain train --seed 3, byte for byte");
  }

  @Test
  void standardizingThroughTheApiIsTheCliStandardizeByteForByte() throws Exception {
    Path api = dir.resolve("api-std.json");
    idxRun().standardize().run().model().save(api);
    Path cli = dir.resolve("cli-std.json");
    Cli run = Cli.run(with(IDX_RUN, "--standardize", "--save", cli.toString()));
    assertEquals(0, run.exit(), run.toString());
    assertEquals(Files.readString(cli), Files.readString(api), "the same standardization, applied and recorded");
  }

  @Test
  void classNamesOfACsvAreKeptByAnApiModelAsByTheCli() throws Exception {
    Path csv = dir.resolve("animals.csv");
    StringBuilder rows = new StringBuilder();
    Random r = new Random(4);
    List<String> names = List.of("cat", "dog", "fox");
    for (int i = 0; i < 60; i++) {
      int c = i % 3;
      rows.append(c + r.nextFloat() * 0.5f).append(',').append(r.nextFloat()).append(',').append(names.get(c))
          .append('\n');
    }
    Files.writeString(csv, rows);
    TrainingData data = Data.csvClasses(csv);
    Path api = dir.resolve("api-names.json");
    TrainingResult result = Training.of(Network.builder(2, 6, 3).loss(Loss.XENT).seed(5), data)
        .optimizer(Optimizer.sgd(0.5f)).batchSize(8).epochs(5).device(Devices.reference()).run();
    result.model().save(api);
    assertEquals(names, Model.load(api).network().classNames(), "the model names its classes");
    Path cli = dir.resolve("cli-names.json");
    Cli run = Cli.run("train", "--data", csv.toString(), "--loss", "xent", "--layers", "2,6,3", "--lr", "0.5",
        "--batch-size", "8", "--epochs", "5", "--seed", "5", "--device", "reference", "--quiet", "--save",
        cli.toString());
    assertEquals(0, run.exit(), run.toString());
    assertEquals(Files.readString(cli), Files.readString(api), "the API's model is the CLI's");
  }

  private static String[] with(String[] run, String... more) {
    String[] all = java.util.Arrays.copyOf(run, run.length + more.length);
    System.arraycopy(more, 0, all, run.length, more.length);
    all[java.util.Arrays.asList(all).indexOf("IDX")] = idx.toString();
    return all;
  }
}
