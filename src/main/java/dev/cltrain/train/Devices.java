package dev.cltrain.train;

import dev.cltrain.Trainer;

import dev.cltrain.DeviceException;
import dev.cltrain.InputException;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Network;
import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.ClException;
import dev.cltrain.opencl.ClRuntime;
import dev.cltrain.opencl.KernelSource;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --device auto|gpu|cpu|reference|cl:P:D|INDEX}: which device a run uses, and opening a trainer on it.
 * Index 0 is always the Java reference; OpenCL devices follow in platform order from 1.
 */
public final class Devices {
  private static final Pattern CL_REF = Pattern.compile("cl:(\\d+):(\\d+)");
  private static final Pattern INDEX = Pattern.compile("\\d+");

  /** The reference's name in listings and summaries. */
  public static final String REFERENCE = "reference";

  private Devices() {}

  /**
   * A chosen device: {@code device} null means the Java reference. {@code auto} when the user let cltrain
   * pick, in which case a device that fails falls back to the reference; {@code why} says why it was picked;
   * {@code warning}, when not null, is a line to show because the choice is a fallback.
   */
  public record Choice(ClDevice device, boolean auto, String why, String warning) {
    Choice(ClDevice device, boolean auto, String why) {
      this(device, auto, why, null);
    }

    public boolean reference() {
      return device == null;
    }
  }

  /** What {@code auto} picks: the first GPU, else the first other accelerator, else (null) the reference. */
  public static ClDevice autoPick(List<ClDevice> devices) {
    for (ClDevice d : devices) {
      if (d.type() == ClDevice.Type.GPU) {
        return d;
      }
    }
    for (ClDevice d : devices) {
      if (d.type() == ClDevice.Type.ACCELERATOR || d.type() == ClDevice.Type.OTHER) {
        return d;
      }
    }
    return null;
  }

  public static Choice choose(String spec, ClRuntime.Discovery discovery) {
    List<ClDevice> devices = discovery.devices();
    String s = spec.trim().toLowerCase(java.util.Locale.ROOT);
    switch (s) {
      case "auto" -> {
        ClDevice pick = autoPick(devices);
        if (pick != null) {
          return new Choice(pick, true, "auto: first " + (pick.type() == ClDevice.Type.GPU ? "GPU" : "accelerator"));
        }
        if (!discovery.available()) {
          return new Choice(null, true, "auto: no OpenCL device",
              "warning: " + discovery.problem() + "; falling back to the Java reference");
        }
        return new Choice(null, true, "auto: no OpenCL GPU or accelerator; " + devices.get(0).ref() + " ("
            + devices.get(0).type() + ") is available with --device " + devices.get(0).ref());
      }
      case REFERENCE -> {
        return new Choice(null, false, "--device reference");
      }
      case "gpu", "cpu" -> {
        ClDevice.Type type = s.equals("gpu") ? ClDevice.Type.GPU : ClDevice.Type.CPU;
        for (ClDevice d : devices) {
          if (d.type() == type) {
            return new Choice(d, false, "--device " + s + ": first OpenCL " + type + " device");
          }
        }
        throw unavailable("no OpenCL " + type + " device found", discovery);
      }
      default -> { }
    }
    Matcher ref = CL_REF.matcher(s);
    if (ref.matches()) {
      for (ClDevice d : devices) {
        if (d.ref().equals(s)) {
          return new Choice(d, false, "--device " + s);
        }
      }
      throw unavailable("no OpenCL device " + s, discovery);
    }
    if (INDEX.matcher(s).matches()) {
      long index = Long.parseLong(s.length() > 9 ? "999999999" : s);
      if (index == 0) {
        return new Choice(null, false, "--device 0");
      }
      if (index <= devices.size()) {
        return new Choice(devices.get((int) index - 1), false, "--device " + index);
      }
      throw unavailable("no device with index " + s, discovery);
    }
    throw new InputException("--device: unknown device '" + spec
        + "' (use auto, gpu, cpu, reference, cl:P:D or an index from 'cltrain devices')");
  }

  private static DeviceException unavailable(String what, ClRuntime.Discovery discovery) {
    return new DeviceException(what + (discovery.available() ? "" : " (" + discovery.problem() + ")")
        + "; usable devices: " + usable(discovery.devices()));
  }

  /** "0 reference (Java reference), 1 cl:0:0 pthread-... (CPU)". */
  public static String usable(List<ClDevice> devices) {
    StringBuilder s = new StringBuilder("0 " + REFERENCE + " (Java reference)");
    for (int i = 0; i < devices.size(); i++) {
      ClDevice d = devices.get(i);
      s.append(", ").append(i + 1).append(' ').append(d.ref()).append(" (").append(d.name()).append(", ")
          .append(d.type()).append(')');
    }
    return s.toString();
  }

  /**
   * Opens a trainer on the chosen device. An OpenCL device that fails to build or run the kernels falls back
   * to the reference with one warning when the choice was {@code auto}, and is a {@link DeviceException}
   * (exit 3) when it was explicit.
   */
  public static Trainer open(Choice choice, KernelSource source, Network network, DataSet data, Settings settings,
      Consumer<String> warn) {
    return open(choice, source, network, data, settings, false, warn);
  }

  /** {@link #open(Choice, KernelSource, Network, DataSet, Settings, Consumer)}, profiling every kernel if asked. */
  public static Trainer open(Choice choice, KernelSource source, Network network, DataSet data, Settings settings,
      boolean profiling, Consumer<String> warn) {
    if (choice.reference()) {
      if (choice.warning() != null) {
        warn.accept(choice.warning());
      }
      return new ReferenceTrainer(network, data, settings, profiling);
    }
    ClDevice device = choice.device();
    try {
      Trainer trainer = new OpenClTrainer(device, source, network, data, settings, profiling);
      try {
        trainer.evaluate(data, false); // runs the forward kernels once, so a device that cannot run them fails here
        trainer.takeProfile(); // the probe is not part of any profile
      } catch (RuntimeException e) {
        trainer.close();
        throw e;
      }
      return trainer;
    } catch (ClException | DeviceException e) {
      if (!choice.auto()) {
        throw new DeviceException(device.ref() + " (" + device.name() + ") cannot be used: " + e.getMessage()
            + "\nusable devices: " + usable(ClRuntime.discover().devices()), e);
      }
      warn.accept("warning: " + device.ref() + " (" + device.name() + ") failed: " + firstLine(e.getMessage())
          + "; falling back to the Java reference");
      return new ReferenceTrainer(network, data, settings, profiling);
    }
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
