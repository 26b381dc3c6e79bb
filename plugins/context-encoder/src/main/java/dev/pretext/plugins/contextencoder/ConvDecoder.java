package dev.pretext.plugins.contextencoder;

import dev.pretext.api.ImageShape;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.api.graph.Ops;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A decoder for small images: a linear layer from a code to feature maps {@code [c₀, H/2ᵏ, W/2ᵏ]},
 * then k stages of 4×4 stride-2 transposed convolution (c₀ → c₁ → … → cₖ), each stage followed
 * by batch norm and ReLU, and a 3×3 convolution to the image's channels. For 28×28 images and
 * three channel counts: 7×7 → 14×14 → 28×28. The output is logits {@code [N, C, H, W]}.
 *
 * <p>Upsampling is a transposed convolution because DL4J M2.1's resize ops break gradients. The
 * plugins cannot share classes (one class loader each), so the autoencoder plugin has its own
 * copy of this class.
 */
final class ConvDecoder {

  private ConvDecoder() {}

  /**
   * Why {@code channels} cannot decode images of {@code shape}, or null if it can: each of the
   * {@code channels.size() − 1} stages doubles the side, so the sides must divide by 2ᵏ.
   */
  static String problem(List<Integer> channels, ImageShape shape) {
    if (channels.isEmpty() || channels.stream().anyMatch(c -> c < 1 || c > 4096)) {
      return "must list 1 or more channel counts in 1..4096, got " + channels;
    }
    int factor = 1 << (channels.size() - 1);
    if (shape.height() % factor != 0 || shape.width() % factor != 0) {
      return channels.size() - 1 + " upsampling stages need image sides divisible by " + factor
          + ", the dataset's images are " + shape + "; list fewer channel counts";
    }
    return null;
  }

  /**
   * Adds the decoder to the graph.
   *
   * @param g builder whose scope names the decoder's variables
   * @param code {@code [N, codeSize]}
   * @param channels feature-map channels at the lowest resolution and after each stage
   * @return reconstruction logits {@code [N, C, H, W]}
   */
  static SDVariable build(GraphBuilder g, SDVariable code, long codeSize, List<Integer> channels,
      ImageShape shape) {
    SameDiff sd = g.sameDiff();
    int stages = channels.size() - 1;
    long h = shape.height() >> stages;
    long w = shape.width() >> stages;
    long c = channels.get(0);
    SDVariable x = Ops.linear(g, "project", code, codeSize, c * h * w).reshape(-1, c, h, w);
    x = sd.nn().relu(Ops.spatialBatchNorm(g, "project_bn", x, c), 0);
    for (int i = 1; i <= stages; i++) {
      long out = channels.get(i);
      // Weights [kH, kW, out, in]; each output pixel sums 2×2 kernel taps of every input channel.
      SDVariable k = g.normalVariable("up" + i + "_w", Math.sqrt(2.0 / (4 * c)), 4, 4, out, c);
      x = sd.cnn().deconv2d(x, k, DeConv2DConfig.builder().kH(4).kW(4).sH(2).sW(2)
          .isSameMode(true).dataFormat(DeConv2DConfig.NCHW).build());
      x = sd.nn().relu(Ops.spatialBatchNorm(g, "up" + i + "_bn", x, out), 0);
      c = out;
    }
    SDVariable k = g.normalVariable("out_w", Math.sqrt(1.0 / (9 * c)), 3, 3, c, shape.channels());
    SDVariable b = g.variable("out_b", Nd4j.zeros(DataType.FLOAT, shape.channels()));
    return sd.cnn().conv2d(x, k, b, Conv2DConfig.builder().kH(3).kW(3)
        .paddingMode(PaddingMode.SAME).dataFormat("NCHW").build());
  }
}
