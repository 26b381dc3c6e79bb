package dev.pretext.toolkit.graph;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Max;

/**
 * ReLU as libnd4j's {@code maximum(x, 0)} with the gradient {@code g·sign(y)} (y ≥ 0, so sign(y)
 * is 1 where x > 0 and 0 elsewhere: the ReLU derivative). SameDiff's own ReLU differentiates
 * through {@code thresholdedrelu_bp}, which took 3–10x the time of a multiply of the same size
 * (a tenth of a conv4 SimCLR step); sign and multiply are two fast passes.
 *
 * <p>Copied graphs come back with this class for every {@code maximum} op (see {@link
 * TrainableOps#register()}); a floating-point argument marks the ones made here, and every other
 * {@code maximum} keeps its real gradient. Internal to {@link Ops#relu}.
 */
public final class FastRelu extends Max {

  private static final double RELU = 1;

  /** For deserialization only. */
  public FastRelu() {}

  FastRelu(SameDiff sd, SDVariable x) {
    super(sd, x, sd.constant(0f).castTo(x.dataType()));
    addTArgument(RELU);
  }

  @Override
  public List<SDVariable> doDiff(List<SDVariable> gradOut) {
    double[] t = tArgs();
    if (t.length != 1 || t[0] != RELU) {
      return super.doDiff(gradOut);
    }
    SDVariable mask = sameDiff.math().sign(outputVariable());
    return List.of(gradOut.get(0).mul(mask), sameDiff.zerosLike(arg(1)));
  }
}
