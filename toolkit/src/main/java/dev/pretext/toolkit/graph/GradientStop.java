package dev.pretext.toolkit.graph;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.custom.BitCast;

/**
 * A value with no gradient path behind it. SameDiff (M2.1) back-propagates only through
 * floating-point variables, so a bit-exact round trip through an integer type of the same width
 * ends the path: the ops that computed the value are left out of the gradient graph. Its own
 * {@code stop_gradient} instead back-propagates zeros through all of them — for batch statistics a
 * product's backward pass and a full-size add per layer. Used where a gradient is known to be
 * accounted for elsewhere ({@link NativeBatchNorm} differentiates through its statistics itself).
 */
final class GradientStop {

  private GradientStop() {}

  static SDVariable of(SameDiff sd, SDVariable x) {
    DataType type = x.dataType();
    DataType bits = switch (type) {
      case FLOAT -> DataType.INT32;
      case DOUBLE -> DataType.INT64;
      case HALF, BFLOAT16 -> DataType.INT16;
      default -> throw new IllegalArgumentException("no gradient to stop for " + type + " " + x.name());
    };
    return bitCast(sd, bitCast(sd, x, bits), type);
  }

  private static SDVariable bitCast(SameDiff sd, SDVariable x, DataType to) {
    BitCast op = new BitCast(sd, x, sd.constant(to.toInt()));
    // libnd4j reads the target type from the integer argument; the input only feeds shape inference.
    op.addIArgument(to.toInt());
    return op.outputVariable();
  }
}
