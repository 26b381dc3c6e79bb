package dev.pretext.toolkit.graph;

import dev.pretext.api.ImageShape;
import dev.pretext.api.graph.GraphBuilder;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A decoder from a code {@code [N, D]} (typically the representation h) to a dense output
 * {@code [N, C, H, W]}: a linear layer to feature maps {@code [c₀, H/2ᵏ, W/2ᵏ]}, then k stages of
 * 4×4 stride-2 transposed convolution (c₀ → c₁ → … → cₖ), each followed by batch norm and ReLU,
 * and a 3×3 convolution to C output channels. With three channel counts a 28×28 output grows
 * 7×7 → 14×14 → 28×28.
 *
 * <p>Upsampling is a transposed convolution because DL4J M2.1's resize ops break gradients. Batch
 * norm is {@link Ops#spatialBatchNorm}, so its running statistics are calibrated with the rest of
 * the graph. Variable names ({@code project_w}, {@code up1_w}, {@code out_w}, …) are taken in the
 * builder's scope; give each decoder its own scope.
 */
public final class ConvDecoder {

  /** Largest channel count accepted at any stage. */
  public static final int MAX_CHANNELS = 4096;

  private ConvDecoder() {}

  /**
   * Why {@code channels} cannot decode outputs of {@code shape}, or null if it can: each of the
   * {@code channels.size() − 1} stages doubles the side, so the sides must divide by 2ᵏ. Tasks
   * call it when they are created, to report a bad setting against its key.
   *
   * @param channels feature-map channels at the lowest resolution and after each stage
   * @param shape the output's shape (its channel count is not checked)
   */
  public static String problem(List<Integer> channels, ImageShape shape) {
    if (channels.isEmpty() || channels.stream().anyMatch(c -> c < 1 || c > MAX_CHANNELS)) {
      return "must list 1 or more channel counts in 1.." + MAX_CHANNELS + ", got " + channels;
    }
    int factor = 1 << (channels.size() - 1);
    if (shape.height() % factor != 0 || shape.width() % factor != 0) {
      return channels.size() - 1 + " upsampling stages need output sides divisible by " + factor
          + ", the output is " + shape.height() + "x" + shape.width() + "; list fewer channel counts";
    }
    return null;
  }

  /**
   * Adds the whole decoder: {@link #features} followed by a 3×3 convolution (with bias) to
   * {@code shape.channels()} outputs.
   *
   * @param g builder whose scope names the decoder's variables
   * @param code {@code [N, codeSize]}
   * @param codeSize D
   * @param channels feature-map channels at the lowest resolution and after each stage; must pass
   *     {@link #problem}
   * @param shape the output's shape per example
   * @return logits {@code [N, C, H, W]} (no activation)
   */
  public static SDVariable build(GraphBuilder g, SDVariable code, long codeSize, List<Integer> channels,
      ImageShape shape) {
    SDVariable x = features(g, code, codeSize, channels, shape);
    return outputConvolution(g, "out", x, channels.get(channels.size() - 1), shape.channels(), 3);
  }

  /**
   * Adds the decoder without its output layer, for a task that adds its own (for example after
   * concatenating more input channels).
   *
   * @return the last stage's activations {@code [N, cₖ, H, W]}, after batch norm and ReLU
   */
  public static SDVariable features(GraphBuilder g, SDVariable code, long codeSize,
      List<Integer> channels, ImageShape shape) {
    String problem = problem(channels, shape);
    if (problem != null) {
      throw new IllegalArgumentException("decoder channels " + problem);
    }
    SameDiff sd = g.sameDiff();
    int stages = channels.size() - 1;
    long h = shape.height() >> stages;
    long w = shape.width() >> stages;
    long c = channels.get(0);
    SDVariable x = Ops.linear(g, "project", code, codeSize, c * h * w).reshape(-1, c, h, w);
    x = Ops.relu(sd, Ops.spatialBatchNorm(g, "project_bn", x, c));
    for (int i = 1; i <= stages; i++) {
      long out = channels.get(i);
      // Weights [kH, kW, out, in]; each output pixel sums 2×2 kernel taps of every input channel.
      SDVariable k = g.normalVariable("up" + i + "_w", Math.sqrt(2.0 / (4 * c)), 4, 4, out, c);
      x = sd.cnn().deconv2d(x, k, DeConv2DConfig.builder().kH(4).kW(4).sH(2).sW(2)
          .isSameMode(true).dataFormat(DeConv2DConfig.NCHW).build());
      x = Ops.relu(sd, Ops.spatialBatchNorm(g, "up" + i + "_bn", x, out));
      c = out;
    }
    return x;
  }

  /**
   * A {@code kernel}×{@code kernel} same-padded convolution with bias from {@code in} to
   * {@code out} channels, weights {@code name_w} and bias {@code name_b}, initialized for a linear
   * output (std √(1/fan-in)). A 1×1 kernel is a per-pixel classifier (e.g. over colour bins).
   */
  public static SDVariable outputConvolution(GraphBuilder g, String name, SDVariable x, long in, long out,
      int kernel) {
    if (kernel < 1 || kernel % 2 == 0) {
      throw new IllegalArgumentException("kernel must be odd and positive, got " + kernel);
    }
    SDVariable k = g.normalVariable(name + "_w", Math.sqrt(1.0 / (kernel * kernel * in)), kernel, kernel, in, out);
    SDVariable b = g.variable(name + "_b", Nd4j.zeros(DataType.FLOAT, out));
    return g.sameDiff().cnn().conv2d(x, k, b, Conv2DConfig.builder().kH(kernel).kW(kernel)
        .paddingMode(PaddingMode.SAME).dataFormat("NCHW").build());
  }
}
