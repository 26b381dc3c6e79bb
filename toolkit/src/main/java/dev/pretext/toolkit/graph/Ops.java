package dev.pretext.toolkit.graph;

import dev.pretext.api.graph.GraphBuilder;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.reduce.Moments;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Layer helpers built only from ops whose gradients work in DL4J 1.0.0-M2.1: no
 * {@code sd.nn().batchNorm}, no {@code logSoftmax}, no {@code gather} (see the project's DL4J
 * notes). Names are taken inside the builder's scope.
 */
public final class Ops {

  private static final double EPSILON = 1e-5;

  static {
    TrainableOps.register();
  }

  private Ops() {}

  /** A dense layer {@code x·W + b} with He-normal weights, {@code x} of shape {@code [N, in]}. */
  public static SDVariable linear(GraphBuilder g, String name, SDVariable x, long in, long out) {
    SDVariable[] wb = linearWeights(g, name, in, out);
    // Not sd.nn().linear: in M2.1 its op adds into a reused output buffer, so every inference call
    // after the first returns wrong values once the result feeds another op.
    return x.mmul(wb[0]).add(wb[1]);
  }

  /** The weights {@code W [in, out]} (He-normal) and bias {@code b [out]} (zeros) of a dense layer, applied as {@code x·W + b}. */
  public static SDVariable[] linearWeights(GraphBuilder g, String name, long in, long out) {
    return new SDVariable[] {g.normalVariable(name + "_w", Math.sqrt(2.0 / in), in, out),
        g.variable(name + "_b", Nd4j.zeros(DataType.FLOAT, out))};
  }

  /**
   * Batch normalization of features {@code [N, C]} from plain ops: {@code (x − μ)·rsqrt(σ² + ε)·γ
   * + β}, computed as {@code x·a + b}, with batch statistics while training and running
   * statistics (calibrated by the runtime) otherwise.
   */
  public static SDVariable batchNorm(GraphBuilder g, String name, SDVariable x, long channels) {
    return batchNorm(g, batchNormWeights(g, name, new long[] {1, channels}), x, MAIN_APPLICATION);
  }

  /**
   * The learned scale γ and shift β of one batch-norm layer, created once and applied with
   * {@link #batchNorm(GraphBuilder, BatchNormWeights, SDVariable, String)} or {@link
   * #channelsLastBatchNorm(GraphBuilder, BatchNormWeights, SDVariable, String)} as often as
   * needed (an encoder module applied to tiles and to whole images).
   *
   * @param name the layer's name inside the builder's scope
   * @param paramShape {@code [1, C]} for features, {@code [1, C, 1, 1]} for feature maps
   */
  public record BatchNormWeights(String name, long[] paramShape, SDVariable gamma, SDVariable beta) {
    public long channels() {
      return paramShape[1];
    }
  }

  /** Creates γ = 1 and β = 0 for a batch-norm layer of {@code paramShape} ({@code [1, C]} or {@code [1, C, 1, 1]}). */
  public static BatchNormWeights batchNormWeights(GraphBuilder g, String name, long[] paramShape) {
    return new BatchNormWeights(name, paramShape.clone(),
        g.variable(name + "_gamma", Nd4j.ones(DataType.FLOAT, paramShape)),
        g.variable(name + "_beta", Nd4j.zeros(DataType.FLOAT, paramShape)));
  }

  /** The application whose batch-norm variables keep their plain names (see {@code EncoderModule.MAIN}). */
  public static final String MAIN_APPLICATION = "main";

  /**
   * Batch normalization of features {@code [N, C]} with existing weights; {@code application}
   * names this use's own running statistics and batch-statistic variables (plain names for {@link
   * #MAIN_APPLICATION}, suffixed {@code _<application>} otherwise).
   */
  public static SDVariable batchNorm(GraphBuilder g, BatchNormWeights weights, SDVariable x, String application) {
    return batchNorm(g, weights, application, x, 0);
  }

  /**
   * Batch normalization of feature maps {@code [N, C, H, W]}, statistics over N, H and W:
   * libnd4j's fused op with the textbook gradient ({@link NativeBatchNorm}) instead of x·a + b
   * from broadcast ops, whose gradients tiled per-channel operands to full size and cost more
   * than the convolutions. OpsTest compares values and gradients.
   */
  public static SDVariable spatialBatchNorm(GraphBuilder g, String name, SDVariable x, long channels) {
    SameDiff sd = g.sameDiff();
    long[] paramShape = {1, channels, 1, 1};
    // No gradient path through the statistics: NativeBatchNorm's gradient covers them.
    SDVariable[] moments = new Moments(sd, x, new int[] {0, 2, 3}, false).outputVariables();
    SDVariable batchMean = GradientStop.of(sd, moments[0]).reshape(paramShape)
        .rename(g.name(name + "_batch_mean"));
    SDVariable batchVar = GradientStop.of(sd, moments[1]).reshape(paramShape)
        .rename(g.name(name + "_batch_var"));
    return normalize(g, batchNormWeights(g, name, paramShape), name, x, batchMean, batchVar, 1);
  }

  /**
   * Batch normalization of channels-last feature maps {@code [N, H, W, C]}, statistics over N, H
   * and W: about 3x faster than {@link #spatialBatchNorm} in libnd4j (its fused op and products
   * instead of strided reductions). Per-channel parameters keep the shape {@code [1, C, 1, 1]}.
   */
  public static SDVariable channelsLastBatchNorm(GraphBuilder g, String name, SDVariable x, long channels) {
    return channelsLastBatchNorm(g, batchNormWeights(g, name, new long[] {1, channels, 1, 1}), x, MAIN_APPLICATION);
  }

  /**
   * {@link #channelsLastBatchNorm(GraphBuilder, String, SDVariable, long)} with existing weights,
   * for one {@code application} (its own running statistics; see {@link #batchNorm(GraphBuilder,
   * BatchNormWeights, SDVariable, String)}).
   */
  public static SDVariable channelsLastBatchNorm(GraphBuilder g, BatchNormWeights weights, SDVariable x,
      String application) {
    SameDiff sd = g.sameDiff();
    long[] paramShape = weights.paramShape();
    String name = applied(weights.name(), application);
    // Σx and Σx² as products with ones over N, H, W (libnd4j reduces these axes ~25x slower),
    // σ² = E[x²] − μ² clamped at 0: convolution outputs are centred enough for float32 (OpsTest
    // compares with the two-pass formula). No gradient path: NativeBatchNorm's covers them.
    SDVariable ones = SpatialSums.onesFor(sd, x);
    SDVariable n = ones.sum().castTo(x.dataType());
    SDVariable rawMean = GradientStop.of(sd, SpatialSums.of(sd, ones, x).div(n));
    SDVariable meanOfSquares = GradientStop.of(sd, SpatialSums.of(sd, ones, x.mul(x)).div(n));
    SDVariable batchMean = rawMean.reshape(paramShape).rename(g.name(name + "_batch_mean"));
    SDVariable batchVar = sd.nn().relu(meanOfSquares.sub(rawMean.mul(rawMean)), 0)
        .reshape(paramShape).rename(g.name(name + "_batch_var"));
    return normalize(g, weights, name, x, batchMean, batchVar, NativeBatchNorm.CHANNELS_LAST);
  }

  /** A layer's variable name for one application: plain for the main one, suffixed otherwise. */
  private static String applied(String name, String application) {
    return MAIN_APPLICATION.equals(application) ? name : name + "_" + application;
  }

  private static SDVariable normalize(GraphBuilder g, BatchNormWeights weights, String name, SDVariable x,
      SDVariable batchMean, SDVariable batchVar, int channelAxis) {
    SameDiff sd = g.sameDiff();
    long[] paramShape = weights.paramShape();
    SDVariable gamma = weights.gamma();
    SDVariable beta = weights.beta();
    SDVariable runMean = g.constant(name + "_running_mean", Nd4j.zeros(DataType.FLOAT, paramShape));
    SDVariable runVar = g.constant(name + "_running_var", Nd4j.ones(DataType.FLOAT, paramShape));
    g.registerBatchStatistic(batchMean, runMean);
    g.registerBatchStatistic(batchVar, runVar);
    SDVariable t = g.trainingFlag();
    SDVariable notT = sd.constant(1f).sub(t);
    SDVariable mean = batchMean.mul(t).add(runMean.mul(notT));
    SDVariable var = batchVar.mul(t).add(runVar.mul(notT));
    long channels = paramShape[1];
    return new NativeBatchNorm(sd, x, mean.reshape(channels), var.reshape(channels),
        gamma.reshape(channels), beta.reshape(channels), EPSILON, channelAxis).outputVariable();
  }

  private static SDVariable batchNorm(
      GraphBuilder g, BatchNormWeights weights, String application, SDVariable x, int... axes) {
    SameDiff sd = g.sameDiff();
    String name = applied(weights.name(), application);
    long[] paramShape = weights.paramShape();
    SDVariable gamma = weights.gamma();
    SDVariable beta = weights.beta();
    SDVariable runMean = g.constant(name + "_running_mean", Nd4j.zeros(DataType.FLOAT, paramShape));
    SDVariable runVar = g.constant(name + "_running_var", Nd4j.ones(DataType.FLOAT, paramShape));
    // Folded into y = x·a + b with per-channel a and b, and σ² = E[x²] − μ²: three full-size
    // ops (and their gradients) instead of six; x·x rather than square(x), whose gradient
    // (_powderivative) was ~5x slower than a same-shape multiply_bp.
    SDVariable batchMean = x.mean(true, axes).rename(g.name(name + "_batch_mean"));
    SDVariable meanOfSquares = x.mul(x).mean(true, axes);
    SDVariable batchVar = sd.nn().relu(meanOfSquares.sub(batchMean.mul(batchMean)), 0)
        .rename(g.name(name + "_batch_var"));
    g.registerBatchStatistic(batchMean, runMean);
    g.registerBatchStatistic(batchVar, runVar);

    SDVariable t = g.trainingFlag();
    SDVariable notT = sd.constant(1f).sub(t);
    SDVariable mean = batchMean.mul(t).add(runMean.mul(notT));
    SDVariable var = batchVar.mul(t).add(runVar.mul(notT));
    SDVariable scale = sd.math().rsqrt(var.add(EPSILON)).mul(gamma);
    SDVariable shift = beta.sub(mean.mul(scale));
    return x.mul(scale).add(shift);
  }

  /**
   * ReLU, {@code max(x, 0)}, with a gradient from two fast passes (see {@link FastRelu}); values
   * and gradients are those of {@code sd.nn().relu(x, 0)}.
   */
  public static SDVariable relu(SameDiff sd, SDVariable x) {
    return new FastRelu(sd, x).outputVariable();
  }

  /**
   * {@code log Σ exp(x)} along {@code dim}, kept as a size-1 dimension, computed stably. The
   * shift by the maximum needs no stop-gradient: its contributions to the gradient cancel.
   */
  public static SDVariable logSumExp(SameDiff sd, SDVariable x, int dim) {
    SDVariable max = x.max(true, dim);
    return sd.math().log(sd.math().exp(x.sub(max)).sum(true, dim)).add(max);
  }

  /**
   * {@code log Σ exp(x)·mask} along {@code dim} without −∞ tricks: masked entries contribute
   * exactly zero, and their values never reach {@code exp}, so no NaN or overflow appears whatever
   * they hold. The shift is the maximum over unmasked entries.
   */
  public static SDVariable maskedLogSumExp(SameDiff sd, SDVariable x, SDVariable mask, int dim) {
    // Masked entries are pushed far down only for the max; they are zeroed before exp below.
    SDVariable max = x.mul(mask).add(mask.rsub(1.0).mul(-1e4)).max(true, dim);
    SDVariable shifted = x.sub(max).mul(mask);
    return sd.math().log(sd.math().exp(shifted).mul(mask).sum(true, dim)).add(max);
  }

  /** Log-softmax along {@code dim} as {@code x − logΣexp(x)} (DL4J's op breaks gradients). */
  public static SDVariable logSoftmax(SameDiff sd, SDVariable x, int dim) {
    return x.sub(logSumExp(sd, x, dim));
  }

  /** Mean cross-entropy of {@code logits [N, K]} against one-hot {@code labels [N, K]}. */
  public static SDVariable softmaxCrossEntropy(SameDiff sd, SDVariable logits, SDVariable labels) {
    return labels.mul(logSoftmax(sd, logits, 1)).sum(1).mean().neg();
  }

  /** Each row of {@code x [N, D]} divided by its L2 norm (with a small floor). */
  public static SDVariable l2Normalize(SameDiff sd, SDVariable x) {
    SDVariable norm = sd.math().sqrt(x.mul(x).sum(true, 1).add(1e-12));
    return x.div(norm);
  }
}
