package dev.cltrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.data.CsvLayout;
import dev.cltrain.data.DataOptions;
import dev.cltrain.data.RowCache;
import dev.cltrain.data.Streaming;
import dev.cltrain.data.TrainingData;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.testing.Backends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 26, items 1 to 3: a run on rows streamed from the row cache ({@code --stream on}) writes the same model
 * file, byte for byte, and logs the same figures as the run on the same CSV read whole, on every device and the
 * reference: the same global permutation per epoch, the validation split and the test set streamed, the
 * standardization computed in a streaming pass, label smoothing applied per batch.
 */
class StreamingTest {
  static Stream<String> devices() {
    return Backends.all().stream().map(d -> d.id());
  }

  /** A small classification CSV with a header and string labels (three classes), drawn from a seeded generator. */
  static Path classesCsv(Path dir, String name, int rows, long seed) throws Exception {
    java.util.Random random = new java.util.Random(seed);
    StringBuilder csv = new StringBuilder("a,b,c,d,kind\n");
    for (int r = 0; r < rows; r++) {
      float[] x = new float[4];
      for (int c = 0; c < 4; c++) {
        x[c] = Math.round(random.nextGaussian() * 1000) / 100f;
        csv.append(x[c]).append(',');
      }
      csv.append(x[0] + x[1] > 0 ? "up" : x[2] > 0.5 ? "side" : "down").append('\n');
    }
    Path file = dir.resolve(name);
    Files.writeString(file, csv);
    return file;
  }

  record Run(List<String> epochs, byte[] model) {}

  static Run train(String device, TrainingData data, Optimizer optimizer, float smoothing, Path dir, String tag)
      throws Exception {
    return train(Devices.choose(device), data, optimizer, smoothing, dir, tag);
  }

  static Run train(dev.cltrain.device.DeviceChoice device, TrainingData data, Optimizer optimizer, float smoothing,
      Path dir, String tag) throws Exception {
    List<String> epochs = new ArrayList<>();
    Training training = Training.of(Network.builder(4, 6, data.train().outputs()).hidden(Activation.TANH)
            .loss(data.classes() > 0 ? Loss.XENT : Loss.MSE).seed(3), data)
        .standardize().optimizer(optimizer).batchSize(16).epochs(3).device(device)
        .listener(report -> {
          epochs.add(report.epoch() + " " + Float.floatToIntBits(report.loss()) + " "
              + report.heldOut().entrySet().stream().map(e -> e.getKey() + "="
                  + Float.floatToIntBits(e.getValue().loss())).toList());
          return true;
        });
    if (smoothing > 0) {
      training = training.labelSmoothing(smoothing);
    }
    Path file = dir.resolve(tag + ".json");
    training.run().model().save(file);
    return new Run(epochs, Files.readAllBytes(file));
  }

  static TrainingData load(Path csv, Path test, boolean classification, Streaming.Mode mode, Path cache) {
    return Data.load(new DataOptions(csv.toString(), 1, classification, 0, test == null ? null : test.toString(),
        0.2, 5, CsvLayout.DEFAULT, null, new Streaming(mode, new RowCache.Options(cache, null))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("devices")
  void aStreamedRunWritesTheSameModelAsTheRunInMemory(String device, @TempDir Path dir) throws Exception {
    Path csv = classesCsv(dir, "train.csv", 203, 1);
    Path test = classesCsv(dir, "test.csv", 41, 2);
    Path cache = dir.resolve("cache");
    TrainingData whole = load(csv, test, true, Streaming.Mode.OFF, cache);
    TrainingData streamed = load(csv, test, true, Streaming.Mode.ON, cache);
    assertFalse(whole.train().isStreamed());
    assertTrue(streamed.train().isStreamed() && streamed.test().isStreamed() && streamed.validation().isStreamed(),
        "training rows, test set and validation split all streamed");
    assertNull(streamed.train().x(), "no rows in the heap");
    assertEquals(whole.classNames(), streamed.classNames());
    Run a = train(device, whole, Optimizer.adam(0.02f), 0.1f, dir, "whole");
    Run b = train(device, streamed, Optimizer.adam(0.02f), 0.1f, dir, "streamed");
    assertEquals(3, a.epochs().size());
    assertEquals(a.epochs(), b.epochs(), "every epoch's loss and the test and validation losses, bit for bit");
    assertArrayEquals(a.model(), b.model(), "the model file, byte for byte");
  }

  /**
   * Two devices (each device with the reference; the reference with itself), sharing every batch 2:1: streamed, the
   * host reads each batch and gives each device its shard, and the run writes the resident two-device run's bytes.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("devices")
  void aStreamedRunOnTwoDevicesWritesTheModelOfTheTwoDeviceRunInMemory(String device, @TempDir Path dir)
      throws Exception {
    Path csv = classesCsv(dir, "train.csv", 203, 1);
    Path test = classesCsv(dir, "test.csv", 41, 2);
    Path cache = dir.resolve("cache");
    dev.cltrain.device.DeviceChoice two = dev.cltrain.device.DeviceChoice.parallel(
        List.of(Devices.choose(device).device(), Devices.reference()), new int[] {2, 1}, "two devices")
        .withCheck(false);
    Run a = train(two, load(csv, test, true, Streaming.Mode.OFF, cache), Optimizer.adam(0.02f), 0.1f, dir, "whole");
    Run b = train(two, load(csv, test, true, Streaming.Mode.ON, cache), Optimizer.adam(0.02f), 0.1f, dir, "streamed");
    assertEquals(3, a.epochs().size());
    assertEquals(a.epochs(), b.epochs(), "every epoch's loss and the test and validation losses, bit for bit");
    assertArrayEquals(a.model(), b.model(), "the model file, byte for byte");
  }

  /**
   * Issue 26, item 3: a model's evaluation and predictions of a CSV streamed from the row cache, heard chunk by
   * chunk and none kept, are those of the CSV read whole: the loss and accuracy bit for bit, every output equal.
   */
  @org.junit.jupiter.api.Test
  void evalAndPredictOfAStreamedCsvGiveTheFiguresOfTheCsvInMemory(@TempDir Path dir) throws Exception {
    Path csv = classesCsv(dir, "train.csv", 203, 1);
    Path cache = dir.resolve("cache");
    Model model = Training.of(Network.builder(4, 6, 3).hidden(Activation.TANH).loss(Loss.XENT).seed(3),
        load(csv, null, true, Streaming.Mode.OFF, cache)).standardize().batchSize(16).epochs(2)
        .device(Devices.reference()).run().model();
    Streaming on = new Streaming(Streaming.Mode.ON, new RowCache.Options(cache, null));
    dev.cltrain.device.DeviceChoice reference = dev.cltrain.device.DeviceChoice.of(Devices.reference());
    dev.cltrain.data.DataSet whole = Data.labelledFor(model, csv.toString(), CsvLayout.DEFAULT);
    dev.cltrain.data.DataSet streamed = Data.labelledFor(model, csv.toString(), CsvLayout.DEFAULT, on);
    assertTrue(streamed.isStreamed() && !whole.isStreamed());
    Model.Scored a = model.evaluate(whole, reference);
    List<Float> heard = new ArrayList<>();
    int[] rows = {0};
    Model.Scored b = model.evaluate(streamed, reference, (first, n, outputs, targets) -> {
      assertEquals(rows[0], first, "chunks in row order");
      rows[0] += n;
      for (float v : outputs) {
        heard.add(v);
      }
    });
    assertEquals(Float.floatToIntBits(a.evaluation().loss()), Float.floatToIntBits(b.evaluation().loss()));
    assertEquals(a.evaluation().accuracy(), b.evaluation().accuracy(), 0f);
    assertNull(b.evaluation().outputs(), "heard, not kept");
    assertEquals(203, rows[0]);
    float[] expected = a.evaluation().outputs();
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], heard.get(i), 0f, "output " + i);
    }

    dev.cltrain.data.DataSet inputs = Data.inputsFor(model, csv, true, CsvLayout.DEFAULT, on);
    assertTrue(inputs.isStreamed());
    float[][] raw = new float[203][];
    dev.cltrain.data.DataSet inMemory = Data.inputsFor(model, csv, true, CsvLayout.DEFAULT, null);
    for (int r = 0; r < raw.length; r++) {
      raw[r] = inMemory.inputRow(r);
    }
    float[][] predicted = model.predict(raw, reference).outputs();
    List<float[]> streamedRows = new ArrayList<>();
    model.predict(inputs, reference, (first, n, outputs, targets) -> {
      for (int r = 0; r < n; r++) {
        streamedRows.add(java.util.Arrays.copyOfRange(outputs, r * 3, (r + 1) * 3));
      }
    });
    assertEquals(203, streamedRows.size());
    for (int r = 0; r < raw.length; r++) {
      assertArrayEquals(predicted[r], streamedRows.get(r), 0f, "prediction " + r);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("devices")
  void aStreamedRegressionRunWritesTheSameModel(String device, @TempDir Path dir) throws Exception {
    StringBuilder text = new StringBuilder();
    java.util.Random random = new java.util.Random(9);
    for (int r = 0; r < 150; r++) {
      float[] x = {random.nextInt(2000) / 100f, random.nextInt(200) / 100f - 1, random.nextInt(50) / 10f,
          random.nextInt(9)};
      text.append(x[0]).append(',').append(x[1]).append(',').append(x[2]).append(',').append(x[3]).append(',')
          .append(0.5f * x[0] - x[1] + 0.25f * x[3]).append('\n');
    }
    Path csv = dir.resolve("r.csv");
    Files.writeString(csv, text);
    Path cache = dir.resolve("cache");
    Run a = train(device, load(csv, null, false, Streaming.Mode.OFF, cache), Optimizer.sgd(0.01f), 0, dir, "a");
    Run b = train(device, load(csv, null, false, Streaming.Mode.ON, cache), Optimizer.sgd(0.01f), 0, dir, "b");
    assertEquals(a.epochs(), b.epochs());
    assertArrayEquals(a.model(), b.model(), "the model file, byte for byte");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("devices")
  void aStreamedIdxFolderTrainsToTheSameModel(String device, @TempDir Path dir) throws Exception {
    Path idx = dev.cltrain.testing.IdxFolders.write(dir.resolve("idx"));
    Path cache = dir.resolve("cache");
    List<byte[]> models = new ArrayList<>();
    for (Streaming.Mode mode : List.of(Streaming.Mode.OFF, Streaming.Mode.ON)) {
      TrainingData data = Data.load(new DataOptions(idx.toString(), 1, true, 0, null, 0, 0, CsvLayout.DEFAULT, null,
          new Streaming(mode, new RowCache.Options(cache, null))));
      assertEquals(mode == Streaming.Mode.ON, data.train().isStreamed() && data.test().isStreamed());
      assertEquals(new dev.cltrain.nn.Shape(6, 6, 1), data.imageShape());
      Path file = dir.resolve(mode + ".json");
      Training.of(Network.builder(36, 5, 3).hidden(Activation.RELU).loss(Loss.XENT).seed(4), data)
          .optimizer(Optimizer.sgd(0.2f)).batchSize(32).epochs(2).device(Devices.choose(device)).run().model()
          .save(file);
      models.add(Files.readAllBytes(file));
    }
    assertArrayEquals(models.get(0), models.get(1), "the model file, byte for byte");
  }

  /**
   * Augmentation of streamed images: each batch read on the host is flipped and shifted on the device with the
   * draws of its rows' indices in the data set (augment_rows), so the streamed run writes the in-memory run's
   * model, byte for byte, on one device and on two (the device with the reference, batches shared 2:1).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("devices")
  void streamedImagesAreAugmentedAsTheImagesInMemory(String device, @TempDir Path dir) throws Exception {
    Path idx = dev.cltrain.testing.IdxFolders.write(dir.resolve("idx"));
    Path cache = dir.resolve("cache");
    List<dev.cltrain.device.DeviceChoice> choices = List.of(Devices.choose(device),
        dev.cltrain.device.DeviceChoice.parallel(List.of(Devices.choose(device).device(), Devices.reference()),
            new int[] {2, 1}, "two devices").withCheck(false));
    for (dev.cltrain.device.DeviceChoice choice : choices) {
      List<byte[]> models = new ArrayList<>();
      for (Streaming.Mode mode : List.of(Streaming.Mode.OFF, Streaming.Mode.ON)) {
        TrainingData data = Data.load(new DataOptions(idx.toString(), 1, true, 0, null, 0, 0, CsvLayout.DEFAULT,
            null, new Streaming(mode, new RowCache.Options(cache, null))));
        assertEquals(mode == Streaming.Mode.ON, data.train().isStreamed());
        Path file = dir.resolve(mode + ".json");
        Training.of(Network.builder(36, 5, 3).hidden(Activation.RELU).loss(Loss.XENT).seed(4), data)
            .optimizer(Optimizer.sgd(0.2f)).batchSize(32).epochs(2).device(choice)
            .augment(dev.cltrain.nn.Augment.parse("flip,crop:2", 7)).run().model().save(file);
        models.add(Files.readAllBytes(file));
      }
      assertArrayEquals(models.get(0), models.get(1), "the model file, byte for byte, on " + choice);
    }
  }
}
