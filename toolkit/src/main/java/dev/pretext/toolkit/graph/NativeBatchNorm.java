package dev.pretext.toolkit.graph;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.layers.convolution.BatchNorm;

/**
 * libnd4j's fused {@code batchnorm} op with a gradient that works in DL4J 1.0.0-M2.1. The stock
 * {@link BatchNorm} cannot be differentiated there (its {@code doDiff} loses the axis, and its
 * derivative op rejects its own inputs), so {@code sd.nn().batchNorm} fails when the gradient
 * graph is built. This subclass builds {@code batchnorm_bp} itself.
 *
 * <p>{@code batchnorm_bp} returns the full derivative with respect to the input — including the
 * paths through a batch mean and variance computed from it — and zero for the mean and variance
 * inputs, so the statistics may be graph ops on the same input without counting twice
 * ({@code OpsTest} compares values and gradients with the textbook formula).
 *
 * <p>{@link TrainableOps#register()} makes SameDiff's copies of a graph use this class (for
 * every {@code batchnorm} op: the stock class could not be differentiated at all). Internal to
 * the graph helpers: plugins call {@link Ops#spatialBatchNorm}.
 */
public final class NativeBatchNorm extends BatchNorm {

  /** The channel axis of channels-last feature maps {@code [N, H, W, C]}. */
  static final int CHANNELS_LAST = 3;


  /** For deserialization only. */
  public NativeBatchNorm() {}

  NativeBatchNorm(SameDiff sd, SDVariable x, SDVariable mean, SDVariable variance,
      SDVariable gamma, SDVariable beta, double epsilon, int channelAxis) {
    super(sd, new SDVariable[] {x, mean, variance, gamma, beta}, null, null, false, true, true,
        epsilon, new int[] {channelAxis});
  }

  @Override
  public List<SDVariable> doDiff(List<SDVariable> gradOut) {
    // The textbook gradient with batch statistics, from per-channel sums and two more fused
    // batchnorm calls: with x̂ = (x − μ)·r, r = rsqrt(σ² + ε), ḡ = mean(g), m = mean(g·x̂):
    //   dβ = Σg, dγ = Σg·x̂, dx = γ·r·(g − ḡ − x̂·m) = bn(g; ḡ, γ·r) + bn(x; μ, −γ·r²·m).
    // libnd4j's batchnorm_bp computes the same but took ~5x the time of the forward op.
    SDVariable x = arg(0);
    SDVariable mean = arg(1);
    SDVariable variance = arg(2);
    SDVariable gamma = arg(3);
    SDVariable g = gradOut.get(0);
    double epsilon = tArgs()[0];
    int channelAxis = (int) iArgs()[2];
    SameDiff sd = sameDiff;
    boolean channelsLast = channelAxis == CHANNELS_LAST;
    SDVariable count;
    SDVariable sumG;
    SDVariable sumGx;
    if (channelsLast) {
      // Per-channel sums of [N, H, W, C] as products with ones over N, H, W: libnd4j's own
      // reductions over (0, 1, 2) are ~25x slower (docs/architecture.md).
      SDVariable ones = SpatialSums.onesFor(sd, g);
      sumG = SpatialSums.of(sd, ones, g);
      sumGx = SpatialSums.of(sd, ones, g.mul(x));
      count = ones.sum().castTo(x.dataType());
    } else {
      count = sd.sizeAt(x, 0).mul(sd.sizeAt(x, 2)).mul(sd.sizeAt(x, 3)).castTo(x.dataType());
      sumG = g.sum(false, 0, 2, 3);
      sumGx = g.mul(x).sum(false, 0, 2, 3);
    }
    SDVariable rstd = sd.math().rsqrt(variance.add(epsilon));
    SDVariable sumGxHat = rstd.mul(sumGx.sub(mean.mul(sumG)));
    SDVariable gScale = gamma.mul(rstd);
    SDVariable unitVariance = sd.zerosLike(variance).add(1.0 - epsilon);
    SDVariable zeros = sd.zerosLike(variance);
    SDVariable fromG = new NativeBatchNorm(sd, g, sumG.div(count), unitVariance, gScale, zeros,
        epsilon, channelAxis).outputVariable();
    SDVariable xScale = gScale.mul(rstd).mul(sumGxHat.div(count)).neg();
    SDVariable fromX = new NativeBatchNorm(sd, x, mean, unitVariance, xScale, zeros, epsilon, channelAxis)
        .outputVariable();
    return List.of(fromG.add(fromX), sd.zerosLike(mean), sd.zerosLike(variance), sumGxHat, sumG);
  }
}
