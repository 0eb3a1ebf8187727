package dev.cltrain.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import dev.cltrain.data.Generated;
import dev.cltrain.data.TrainingData;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Init;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.KernelSource;
import dev.cltrain.testing.OpenClDevices;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.device.Device;
import dev.cltrain.Training;
import dev.cltrain.opencl.OpenClDevice;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchRunnerTest {
  /** A small relu/xent net over 37 generated rows in batches of 16 (two full batches and a short one). */
  private static Workload small(int batch) {
    TrainingData data = new TrainingData(Generated.load("random:37x13x3", 5), null, null, 1f, 3);
    Network net = Network.init(new int[] {13, 7, 3}, Activation.RELU, Loss.XENT, Init.HE, new NumpyRandom(5));
    return new Workload("random:37x13x3", Training.of(net, data).optimizer(Optimizer.sgd(0.1f)).batchSize(batch)
        .shuffleWith(new NumpyRandom(5)));
  }

  @Test
  void everyDeviceEndsWithTheReferencesWeightsAndItsKernelsFitInTheWallTime() {
    List<Device> devices = OpenClDevices.all().stream().map(d -> (Device) new OpenClDevice(d)).toList();
    List<String> heard = new ArrayList<>();
    WorkloadResult r = BenchRunner.run(small(16), devices, new BenchRunner.Plan(2, 5, 3), heard::add);
    assertEquals(1 + devices.size(), r.devices().size());
    assertEquals(1 + devices.size(), heard.size(), "one status line per device: " + heard);
    assertEquals(3, r.batchesPerEpoch());
    assertEquals(FlopCount.flops(new int[] {13, 7, 3}, 37), r.flopsPerEpoch());
    DeviceRow reference = r.devices().get(0);
    assertEquals("reference", reference.id());
    assertEquals(1.0, reference.speedup(), 0.0);
    assertEquals(0.0, reference.maxWeightDifference(), 0.0);
    for (DeviceRow d : r.devices().subList(1, r.devices().size())) {
      assertTrue(d.ok(), d.toString());
      // the kernels are bit for bit the reference's on correctly rounding devices; 1e-4 is --verify's tolerance
      assertTrue(d.maxWeightDifference() <= dev.cltrain.device.Verification.TOLERANCE, d.id() + " weights differ by " + d.maxWeightDifference());
      assertTrue(d.msPerEpochMin() <= d.msPerEpochMedian() && d.msPerEpochMedian() <= d.msPerEpochMax(), d.toString());
      assertFalse(d.kernels().isEmpty(), "profiling events on " + d.id());
      double shares = d.kernels().stream().mapToDouble(DeviceRow.KernelShare::share).sum();
      assertTrue(shares <= 1 + 1e-9, "kernel time is at most the wall time: shares sum to " + shares);
      double sum = d.kernels().stream().mapToDouble(DeviceRow.KernelShare::msPerEpoch).sum();
      assertEquals(d.kernelMsPerEpoch(), sum, 1e-9 * Math.max(1, sum), "the breakdown adds up to its total");
      assertTrue(d.kernelMsPerEpoch() <= d.msPerEpochMax() * (1 + 1e-9), d.kernelMsPerEpoch() + " ms of kernels > "
          + d.msPerEpochMax() + " ms wall per epoch");
      assertNotNull(d.hostOverheadMsPerEpoch());
      long gathers = d.kernels().stream().filter(k -> k.kernel().equals("gather_rows")).mapToLong(DeviceRow.KernelShare::launches).sum();
      assertEquals(2L * 3 * 5 * 3, gathers, "x and y gathered for 3 batches x 5 epochs x 3 repeats");
      // mini-batches: the shuffled order (37 ints) goes up once per epoch, the running loss comes back once
      assertEquals(37 * 4.0, d.bytesToDevicePerEpoch(), 0.0, "one index permutation per epoch");
      assertTrue(d.bytesFromDevicePerEpoch() > 0, "the epoch's loss is read back");
    }
  }

  @Test
  void aWorkloadLargerThanADevicesMemoryIsBadInputNamingTheDevice() {
    Workload w = small(0);
    Device small = device(1, 4096, 4096);
    InputException e = assertThrows(InputException.class, () -> BenchRunner.checkFits(w, List.of(small)));
    assertTrue(e.getMessage().contains("cl:3:1") && e.getMessage().contains("4096"), e.getMessage());
    BenchRunner.checkFits(w, List.of(device(1, 1L << 32, 1L << 30)));
    InputException alloc = assertThrows(InputException.class, () -> BenchRunner.checkFits(w, List.of(device(2, 1L << 32, 512))));
    assertTrue(alloc.getMessage().contains("cl:3:2") && alloc.getMessage().contains("smaller batchSize"), alloc.getMessage());
  }

  private static Device device(int index, long globalMem, long maxAlloc) {
    return new OpenClDevice(new ClDevice(3, index, "Test platform", "test-gpu", "none", ClDevice.Type.GPU, 1, globalMem, maxAlloc, 64,
        1024, "OpenCL 1.2", "1", false, true, true, null, null), KernelSource.classpath());
  }
}
