package dev.cltrain.cli;

import dev.cltrain.device.DeviceChoice;
import dev.cltrain.Devices;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code --device}, {@code --kernels}, {@code --retune}, {@code --no-check} and {@code --verbose}, shared by every command that runs kernels. */
final class DeviceOptions {
  @Option(names = "--device", paramLabel = "auto|gpu|cpu|reference|cl:P:D|INDEX",
      description = "Where to run (default: ${DEFAULT-VALUE}); see 'cltrain devices'. train also takes a list, "
          + "e.g. cl:0:0,cl:0:1, or all (every OpenCL device): data-parallel training on them together.")
  String device = "auto";

  @Option(names = "--kernels", paramLabel = "DIR", description = "Load the OpenCL sources from DIR instead of the jar.")
  Path kernels;

  @Option(names = "--retune", description = "Time the matmul strategies and convolution blocks on the device again instead of using the cached choices.")
  boolean retune;

  @Option(names = "--no-check", description = "Trust the device without the check on first use (every kernel "
      + "against the Java reference, once per device, driver and kernel sources; the verdict is cached).")
  boolean noCheck;

  @Mixin
  VerboseOption verbose;

  /** The device --device names (OpenCL is not touched for the reference), checked on first use unless --no-check. */
  DeviceChoice choice() {
    if (retune) {
      Devices.retune();
    }
    return Devices.choose(device, kernels).withCheck(!noCheck);
  }

  /**
   * @param choose makes the choice
   * @return {@code choose}'s choice, made once, when first asked ({@code --stream auto} may ask before the data
   *     is read)
   */
  static java.util.function.Supplier<DeviceChoice> once(java.util.function.Supplier<DeviceChoice> choose) {
    DeviceChoice[] made = new DeviceChoice[1];
    return () -> {
      if (made[0] == null) {
        made[0] = choose.get();
      }
      return made[0];
    };
  }

  /**
   * What each OpenCL device of {@code choice} holds, for {@code --stream auto} (the reference's memory is the
   * Java heap, which auto weighs anyway).
   *
   * @param choice the devices the rows would be uploaded to
   * @return their limits, in device order
   */
  static java.util.List<dev.cltrain.data.Streaming.DeviceLimit> limits(DeviceChoice choice) {
    return choice.devices().stream().filter(d -> !d.isReference())
        .map(d -> new dev.cltrain.data.Streaming.DeviceLimit(d.id(), d.memoryBytes(), d.largestBufferBytes()))
        .toList();
  }
}
