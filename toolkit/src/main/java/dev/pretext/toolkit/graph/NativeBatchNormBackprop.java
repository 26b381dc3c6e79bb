package dev.pretext.toolkit.graph;

import java.util.Collections;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

/**
 * libnd4j's {@code batchnorm_bp}: inputs x, mean, variance, γ, β and the output gradient; outputs
 * the gradients of x (full, through the batch statistics), mean and variance (zero), γ and β. M2.1's
 * own {@code BatchNormDerivative} rejects these inputs, hence this class. Internal to
 * {@link NativeBatchNorm}.
 */
public final class NativeBatchNormBackprop extends DynamicCustomOp {

  private static final int OUTPUTS = 5;

  /** For deserialization only. */
  public NativeBatchNormBackprop() {}

  NativeBatchNormBackprop(SameDiff sd, SDVariable[] inputs, double epsilon, int[] axes) {
    super(null, sd, inputs, false);
    addTArgument(epsilon);
    addIArgument(1, 1); // γ and β applied
    for (int axis : axes) {
      addIArgument(axis);
    }
  }

  @Override
  public String opName() {
    return "batchnorm_bp";
  }

  @Override
  public int getNumOutputs() {
    return OUTPUTS;
  }

  @Override
  public List<DataType> calculateOutputDataTypes(List<DataType> inputTypes) {
    return Collections.nCopies(OUTPUTS, inputTypes.get(0));
  }
}
