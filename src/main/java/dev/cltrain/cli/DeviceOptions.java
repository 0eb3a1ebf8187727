package dev.cltrain.cli;

import dev.cltrain.InputException;
import dev.cltrain.opencl.ClRuntime;
import dev.cltrain.opencl.KernelSource;
import dev.cltrain.train.Devices;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --device} and {@code --kernels}, shared by every command that runs kernels. */
final class DeviceOptions {
  @Option(names = "--device", paramLabel = "auto|gpu|cpu|reference|cl:P:D|INDEX",
      description = "Where to run (default: ${DEFAULT-VALUE}); see 'cltrain devices'.")
  String device = "auto";

  @Option(names = "--kernels", paramLabel = "DIR", description = "Load the OpenCL sources from DIR instead of the jar.")
  Path kernels;

  @Option(names = "--retune", description = "Time the matmul strategies on the device again instead of using the cached choice.")
  boolean retune;

  KernelSource source() {
    if (retune) {
      dev.cltrain.opencl.MatmulTuner.retune();
    }
    return source(kernels);
  }

  /** The kernel sources: the jar's, or those in {@code kernels} when given (a missing folder is bad input). */
  static KernelSource source(Path kernels) {
    if (kernels == null) {
      return KernelSource.classpath();
    }
    if (!Files.isDirectory(kernels)) {
      throw new InputException("--kernels " + kernels + ": not a directory");
    }
    return KernelSource.folder(kernels);
  }

  /** The device --device names. */
  Devices.Choice choice(java.io.PrintWriter err) {
    return Devices.choose(device, ClRuntime.discover());
  }

  /**
   * The OpenCL devices a {@code --device LIST} option names (bench, verify), each once, in the order given;
   * every device found when the option is absent. An entry that names no device is bad input.
   */
  static java.util.List<dev.cltrain.opencl.ClDevice> openClDevices(java.util.List<String> specs,
      ClRuntime.Discovery discovery) {
    if (specs == null) {
      return discovery.devices();
    }
    java.util.List<dev.cltrain.opencl.ClDevice> chosen = new java.util.ArrayList<>();
    for (String spec : specs) {
      Devices.Choice choice;
      try {
        choice = Devices.choose(spec, discovery);
      } catch (dev.cltrain.DeviceException e) {
        throw new InputException("--device " + spec + ": " + e.getMessage());
      }
      if (choice.device() != null && !chosen.contains(choice.device())) {
        chosen.add(choice.device());
      }
    }
    return chosen;
  }
}
