package dev.cltrain.train;

import dev.cltrain.core.Wording;
import dev.cltrain.device.Device;
import dev.cltrain.device.DeviceChoice;
import dev.cltrain.core.DeviceException;
import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.ClRuntime;
import dev.cltrain.opencl.OpenClDevice;
import dev.cltrain.reference.ReferenceDevice;
import dev.cltrain.device.Trainer;
import dev.cltrain.backend.Backend;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Network;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Opening work on a chosen device, with the fallback rule written once: an OpenCL device that cannot build
 * or run the kernels falls back to the Java reference with one warning when the choice was {@code auto}, and
 * is a {@link DeviceException} naming the device and the usable ones when it was explicit. An OpenCL device is
 * also checked on first use ({@link FirstUseCheck}) unless the choice says not to ({@link DeviceChoice#check()}):
 * one that fails is refused the same way, naming the failing kernel.
 *
 * @param <T>     what was opened (a trainer or a forward pass); the caller owns it
 * @param opened  the open object
 * @param device  the device it runs on (the reference after a fallback)
 * @param warning the line to show the user about a fallback, or null
 */
public record Opening<T extends AutoCloseable>(T opened, Device device, String warning) {
  /**
   * A trainer for {@code network} on {@code data}, probed with one forward pass so a bad device fails here.
   *
   * @param choice    the device asked for, and whether it was {@code auto}
   * @param network   the network to start from
   * @param data      the training set
   * @param settings  the optimizer, batch size and shuffling
   * @param profiling whether to open the backend with profiling (per-kernel times)
   * @return the opened trainer, the device it runs on, and a fallback warning or null
   * @throws DeviceException if an explicitly chosen device cannot be used, or the run does not fit the device
   *     it ends up on
   */
  public static Opening<Trainer> trainer(DeviceChoice choice, Network network, DataSet data, Settings settings,
      boolean profiling) {
    return open(choice, device -> {
      MemoryPlan.checkFits(device, network, data, settings);
      return backprop(device.openBackend(profiling), network, data, settings);
    }, trainer -> {
      trainer.evaluate(data, false); // runs the forward kernels once
      trainer.takeProfile(); // the probe is not part of any profile
    });
  }

  /**
   * A forward pass of {@code network} over chunks of at most {@code chunkRows} rows of {@code data}.
   *
   * @param choice    the device asked for, and whether it was {@code auto}
   * @param network   the network to run
   * @param data      the data it will run over; only its row count is used here, to size the buffers
   * @param chunkRows the most rows one forward pass takes
   * @return the opened forward pass, the device it runs on, and a fallback warning or null
   * @throws DeviceException if an explicitly chosen device cannot be used, or the forward pass does not fit the
   *     device it ends up on
   */
  /**
   * Opens data-parallel training on every device of {@code choice}, each checked on first use (unless the choice
   * says not to) after its replica is built; an explicit list does not fall back to the reference.
   *
   * @param choice    several devices and their shares (null shares: equal until calibrated)
   * @param network   the network to start from
   * @param data      the training set
   * @param settings  optimizer, batch size, shuffling
   * @param profiling whether kernel times are recorded
   * @return the trainer
   * @throws DeviceException naming the device that cannot be used
   */
  public static ShardedTrainer sharded(DeviceChoice choice, Network network, DataSet data, Settings settings,
      boolean profiling) {
    int[] shares = choice.shares();
    if (shares == null) {
      shares = new int[choice.devices().size()];
      java.util.Arrays.fill(shares, 1);
    }
    ShardedTrainer trainer;
    try {
      trainer = ShardedTrainer.open(choice.devices(), shares, network, data, settings, profiling);
    } catch (DeviceException e) {
      throw new DeviceException("data-parallel training on " + choice.devices().size() + " devices cannot start: "
          + e.getMessage() + "\nusable devices: " + usableDevices(), e);
    }
    try {
      trainer.evaluate(data, false);
      trainer.takeProfile();
      if (choice.check()) {
        for (Device d : choice.devices()) {
          if (!d.isReference()) {
            FirstUseCheck.require(d);
          }
        }
      }
    } catch (RuntimeException e) {
      trainer.close();
      if (e instanceof FirstUseCheck.Refused) {
        throw new DeviceException(Wording.of("a device of the list was refused: ", ((DeviceException) e).wording(),
            " ('cltrain verify' shows every kernel; ", Wording.param(FirstUseCheck.NO_CHECK),
            " uses the devices unchecked)"), e);
      }
      throw e;
    }
    return trainer;
  }

  /**
   * Opens forward passes on one device (a list is refused: it is for training), falling back as {@link #trainer}.
   *
   * @param choice    the device
   * @param network   the network
   * @param data      the rows to come (for the memory check)
   * @param chunkRows rows per forward pass at most
   * @return the inference and where it runs
   */
  public static Opening<Inference<?, ?>> inference(DeviceChoice choice, Network network, DataSet data, int chunkRows) {
    if (choice.parallel()) {
      throw dev.cltrain.core.InputException.parameter("device", choice.devices().stream().map(Device::id)
          .collect(java.util.stream.Collectors.joining(",")) + ": a device list is for training (data parallel); "
          + "a forward pass runs on one device");
    }
    int capacity = Math.max(1, Math.min(data.rows(), chunkRows));
    return open(choice, device -> {
      MemoryPlan.checkFits(device, network, data.rows(), capacity, data.isStreamed());
      return inference(device.openBackend(false), network, capacity);
    }, forward -> { });
  }

  private static <B, I> Backprop<B, I> backprop(Backend<B, I> backend, Network network, DataSet data,
      Settings settings) {
    return new Backprop<>(backend, network, data, settings);
  }

  private static <B, I> Inference<B, I> inference(Backend<B, I> backend, Network network, int capacity) {
    return new Inference<>(backend, network, capacity);
  }

  private static <T extends AutoCloseable> Opening<T> open(DeviceChoice choice, Function<Device, T> open,
      Consumer<T> probe) {
    String warning = choice.warning();
    Device device = choice.device();
    if (device.isReference()) {
      return new Opening<>(open.apply(device), device, warning);
    }
    try {
      T opened = open.apply(device);
      try {
        probe.accept(opened);
        if (choice.check()) {
          FirstUseCheck.require(device); // after the build and the probe, whose own errors come first
        }
      } catch (RuntimeException e) {
        closeQuietly(opened);
        throw e;
      }
      return new Opening<>(opened, device, warning);
    } catch (DeviceException e) {
      if (!choice.auto() && e instanceof FirstUseCheck.Refused) {
        throw new DeviceException(Wording.of(device.describe(), " refused: ", e.wording(), " ('cltrain verify --device "
            + device.id() + "' shows every kernel; ", Wording.param(FirstUseCheck.NO_CHECK),
            " uses the device unchecked)"), e);
      }
      if (!choice.auto()) {
        throw new DeviceException(Wording.of(device.describe(), " cannot be used: ", e.wording(),
            "\nusable devices: ", usableDevices()), e);
      }
      Device reference = ReferenceDevice.INSTANCE;
      return new Opening<>(open.apply(reference), reference, "warning: " + device.describe() + " failed: "
          + firstLine(e.getMessage()) + "; falling back to the Java reference");
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // the failure that made us close it is the one to report
    }
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** {@return "0 reference (Java reference), 1 cl:0:0 pthread-... (CPU)": every device with its index, for messages} */
  public static String usableDevices() {
    StringBuilder s = new StringBuilder("0 " + ReferenceDevice.ID + " (Java reference)");
    int i = 0;
    for (ClDevice d : ClRuntime.discover().devices()) {
      Device device = new OpenClDevice(d);
      s.append(", ").append(++i).append(' ').append(device.id()).append(" (").append(device.name()).append(", ")
          .append(device.type()).append(')');
    }
    return s.toString();
  }
}
