package dev.pretext.toolkit.graph;

import java.lang.reflect.Field;
import java.util.Map;
import org.nd4j.imports.converters.DifferentialFunctionClassHolder;
import org.nd4j.linalg.api.ops.impl.layers.convolution.BatchNorm;
import org.nd4j.linalg.api.ops.impl.reduce.Moments;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Max;

/**
 * Makes SameDiff read Pretext's op classes back. SameDiff copies graphs through FlatBuffers
 * (to build gradients, in {@code dup}, save and load) and looks each op's class up by the op's
 * hash, so a copy would lose the gradients {@link NativeBatchNorm}, {@link BatchMoments} and
 * {@link FastRelu} define. Registration points those hashes at them; their gradients fall back
 * to the stock ones for ops they did not create (marked by an argument), and the forward
 * computation is libnd4j's either way.
 */
public final class TrainableOps {

  private static volatile boolean registered;

  private TrainableOps() {}

  /**
   * Registers the classes with ND4J 1.0.0-M2.1's op registry. Idempotent; {@link Ops} calls it
   * when it loads, and whoever loads a saved graph to train it further must call it first.
   */
  public static void register() {
    if (registered) {
      return;
    }
    synchronized (TrainableOps.class) {
      if (registered) {
        return;
      }
      try {
        Field field = DifferentialFunctionClassHolder.class.getDeclaredField("customOpHashToClass");
        field.setAccessible(true);
        @SuppressWarnings("unchecked")
        Map<Long, Class<?>> byHash =
            (Map<Long, Class<?>>) field.get(DifferentialFunctionClassHolder.getInstance());
        byHash.put(new BatchNorm().opHash(), NativeBatchNorm.class);
        byHash.put(new NativeBatchNormBackprop().opHash(), NativeBatchNormBackprop.class);
        byHash.put(new Moments().opHash(), BatchMoments.class);
        byHash.put(new Max().opHash(), FastRelu.class);
      } catch (ReflectiveOperationException | RuntimeException e) {
        throw new IllegalStateException("Cannot register Pretext's trainable ops with ND4J's op "
            + "registry (written for ND4J 1.0.0-M2.1; a different version?)", e);
      }
      registered = true;
    }
  }
}
