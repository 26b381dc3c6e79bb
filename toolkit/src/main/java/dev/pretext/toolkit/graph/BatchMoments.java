package dev.pretext.toolkit.graph;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.reduce.Moments;

/**
 * libnd4j's {@code moments} (mean and biased variance over the given axes) feeding
 * {@link NativeBatchNorm}, whose gradient already contains the paths through the batch
 * statistics. Its own gradient is therefore zero; it is returned as a scalar so that adding it to
 * the input's gradient costs one pass instead of the reductions' backprops (which took about a
 * sixth of a SimCLR step).
 *
 * <p>No longer created: {@link Ops} now puts the statistics behind {@link GradientStop}, which
 * leaves them out of the gradient graph altogether. The class stays so that graphs saved before
 * (encoders exported, checkpoints) load and train as they did.
 *
 * <p>Graphs copied through FlatBuffers come back with this class for every {@code moments} op
 * (see {@link TrainableOps#register()}); a floating-point argument marks
 * the ones made here, and every other {@code moments} keeps its real gradient.
 */
public final class BatchMoments extends Moments {

  /** For deserialization only. */
  public BatchMoments() {}

  private static final double FEEDS_NATIVE_BATCH_NORM = 1;

  BatchMoments(SameDiff sd, SDVariable x, int... axes) {
    super(sd, x, axes, false);
    addTArgument(FEEDS_NATIVE_BATCH_NORM);
  }

  @Override
  public List<SDVariable> doDiff(List<SDVariable> gradOut) {
    double[] t = tArgs();
    if (t.length == 1 && t[0] == FEEDS_NATIVE_BATCH_NORM) {
      return List.of(sameDiff.constant(0f).castTo(arg().dataType()));
    }
    return super.doDiff(gradOut);
  }
}
