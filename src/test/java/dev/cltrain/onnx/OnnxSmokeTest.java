package dev.cltrain.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.cltrain.Model;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NetSpec;
import dev.cltrain.nn.Shape;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.NumpyRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OnnxSmokeTest {
  @Test
  void smoke() throws Exception {
    Network net = NetSpec.parse("conv:4:3,relu,maxpool:2,conv:5:3:valid,tanh,avgpool:2,flatten,dense:7,relu,dropout:0.5,dense:3")
        .build(new Shape(12, 12, 2), 3, Loss.XENT, Activation.SOFTMAX, null, new NumpyRandom(1), 0L);
    net = net.withInputScale(1f / 255);
    byte[] bytes = Onnx.toBytes(net, Map.of("epochs", "3"));
    java.nio.file.Files.write(java.nio.file.Path.of("/tmp/smoke.onnx"), bytes);
    Network back = Onnx.fromBytes(bytes, "smoke");
    System.out.println("equal " + back.equals(net) + " " + java.util.Arrays.equals(Onnx.toBytes(back, Map.of("epochs", "3")), bytes));
    float[][] x = new float[5][288];
    java.util.Random r = new java.util.Random(3);
    for (float[] row : x) for (int i = 0; i < row.length; i++) row[i] = r.nextInt(256);
    float[][] ours = Model.of(net).predict(x);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(bytes); OnnxTensor t = OnnxTensor.createTensor(env, x);
         OrtSession.Result res = s.run(Map.of("input", t))) {
      float[][] theirs = (float[][]) res.get(0).getValue();
      for (int i = 0; i < 5; i++) System.out.println(java.util.Arrays.toString(ours[i]) + " " + java.util.Arrays.toString(theirs[i]));
    }
  }
}
