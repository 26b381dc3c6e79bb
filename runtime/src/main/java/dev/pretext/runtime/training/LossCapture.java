package dev.pretext.runtime.training;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.ListenerVariables;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Reads the loss of each training step. M2.1's fit reports 0 as the loss (deeplearning4j#9684)
 * because the forward value of the loss is never needed for its gradient; the engine therefore
 * multiplies the task's loss by a constant 1, whose gradient op consumes the value, and this
 * listener picks that value up as it is computed.
 */
final class LossCapture extends BaseListener {

  private final String lossVariable;
  private volatile double last = Double.NaN;

  LossCapture(String lossVariable) {
    this.lossVariable = lossVariable;
  }

  @Override
  public boolean isActive(Operation operation) {
    return operation == Operation.TRAINING;
  }

  @Override
  public ListenerVariables requiredVariables(SameDiff sd) {
    return ListenerVariables.builder().trainingVariables(lossVariable).build();
  }

  @Override
  public void activationAvailable(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op,
      String varName, INDArray activation) {
    if (varName.equals(lossVariable)) {
      last = activation.getDouble(0);
    }
  }

  /** The loss of the last step, NaN before the first. */
  double last() {
    return last;
  }

  void reset() {
    last = Double.NaN;
  }
}
