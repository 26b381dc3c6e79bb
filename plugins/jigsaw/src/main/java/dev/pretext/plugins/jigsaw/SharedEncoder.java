package dev.pretext.plugins.jigsaw;

import dev.pretext.api.Encoder;
import dev.pretext.api.ImageShape;
import dev.pretext.api.graph.GraphBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.autodiff.samediff.ArgumentInterceptor;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.Variable;

/**
 * Applies an encoder that is already in the graph a second time, to another input, with the same
 * trainable weights.
 *
 * <p>The {@code Encoder} SPI has no notion of reuse: {@code build} creates its weights under the
 * builder's scope, and SameDiff refuses a second variable of the same name. So the second copy is
 * built under its own scope while an {@link ArgumentInterceptor} hands every op that asks for one
 * of that copy's weights the first copy's weight of the same name instead; the copy's own weights,
 * then used by no op, are removed. Gradients of both inputs reach the one set of weights. Batch
 * norm's running statistics are constants, not weights, so each copy keeps its own (the runtime
 * calibrates each on its own input).
 */
final class SharedEncoder {

  private SharedEncoder() {}

  /**
   * Builds {@code encoder} on {@code input} under {@code scope}, sharing every trainable weight
   * with the copy already built under {@code sharedScope}.
   *
   * @throws IllegalArgumentException if the encoder creates a weight the first copy lacks or whose
   *     shape differs (an encoder whose weights depend on the input size, such as an MLP)
   */
  static Encoder.Representation build(GraphBuilder scope, GraphBuilder sharedScope, Encoder encoder,
      SDVariable input, ImageShape shape, ImageShape sharedShape) {
    SameDiff sd = scope.sameDiff();
    String own = scope.name("");
    String shared = sharedScope.name("");
    List<String> problems = new ArrayList<>();
    ArgumentInterceptor interceptor = arg -> {
      if (arg.getVariableType() != VariableType.VARIABLE || !arg.name().startsWith(own)) {
        return arg;
      }
      String sharedName = shared + arg.name().substring(own.length());
      SDVariable target = sd.hasVariable(sharedName) ? sd.getVariable(sharedName) : null;
      if (target == null || target.getVariableType() != VariableType.VARIABLE) {
        problems.add("'" + sharedName + "' does not exist for " + sharedShape + " images");
        return arg;
      }
      if (!Arrays.equals(target.getShape(), arg.getShape())) {
        problems.add("'" + sharedName + "' has shape " + Arrays.toString(target.getShape()) + " for "
            + sharedShape + " images but " + Arrays.toString(arg.getShape()) + " for " + shape + " tiles");
        return arg;
      }
      return target;
    };
    sd.addArgumentInterceptor(interceptor);
    Encoder.Representation representation;
    try {
      representation = encoder.build(scope, input, shape);
    } finally {
      sd.removeArgumentInterceptor();
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("jigsaw applies one encoder to whole " + sharedShape
          + " images and to " + shape + " tiles with the same weights, but this encoder's weights depend"
          + " on the input size: " + String.join("; ", problems)
          + ". Use an encoder with size-independent weights, such as conv4 (convolutions, global average pooling)");
    }
    for (SDVariable v : List.copyOf(sd.variables())) {
      if (v.getVariableType() == VariableType.VARIABLE && v.name().startsWith(own)) {
        Variable meta = sd.getVariables().get(v.name());
        if (meta.getInputsForOp() != null && !meta.getInputsForOp().isEmpty()) {
          throw new IllegalStateException("weight '" + v.name() + "' of the tile encoder is still used by "
              + meta.getInputsForOp());
        }
        sd.getVariables().remove(v.name());
      }
    }
    return representation;
  }
}
