package dev.pretext.api.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Builds into a {@link SameDiff} graph with a name scope, a seeded generator for initial weights,
 * and the training flag that switches batch normalization between batch and running statistics.
 *
 * <p>Scoped builders ({@link #scope}) share the graph, the flag, the generator and the list of
 * batch statistics with their parent.
 */
public final class GraphBuilder {

  /** Name of the scalar constant that is 1 during training and 0 during inference. */
  public static final String TRAINING_FLAG = "pretext_training";

  /**
   * The scope under which a task builds the encoder whose representation it exposes
   * ({@code graph.scope(ENCODER_SCOPE)}): the runtime finds the trained weights there to export
   * the encoder alone.
   */
  public static final String ENCODER_SCOPE = "encoder";

  private final SameDiff sameDiff;
  private final String prefix;
  private final Random random;
  private final List<BatchStatistic> batchStatistics;

  private GraphBuilder(
      SameDiff sameDiff, String prefix, Random random, List<BatchStatistic> batchStatistics) {
    this.sameDiff = sameDiff;
    this.prefix = prefix;
    this.random = random;
    this.batchStatistics = batchStatistics;
  }

  /** A root builder over a new graph, with weights initialized from {@code seed}. */
  public static GraphBuilder create(long seed) {
    SameDiff sd = SameDiff.create();
    sd.constant(TRAINING_FLAG, Nd4j.scalar(DataType.FLOAT, 1f));
    return new GraphBuilder(sd, "", new Random(seed), new ArrayList<>());
  }

  /** The graph. */
  public SameDiff sameDiff() {
    return sameDiff;
  }

  /** A builder whose names are prefixed with {@code name + "/"} below this one's scope. */
  public GraphBuilder scope(String name) {
    return new GraphBuilder(sameDiff, prefix + name + "/", random, batchStatistics);
  }

  /** {@code name} inside this builder's scope. */
  public String name(String name) {
    return prefix + name;
  }

  /** The generator for initial weights (seeded; shared by all scopes of one graph). */
  public Random random() {
    return random;
  }

  /** The scalar training flag: 1 while training, 0 when the runtime extracts features. */
  public SDVariable trainingFlag() {
    return sameDiff.getVariable(TRAINING_FLAG);
  }

  /** A trainable variable initialized with {@code initial}. */
  public SDVariable variable(String name, INDArray initial) {
    return sameDiff.var(name(name), initial);
  }

  /** A trainable variable with values drawn from N(0, std²) by this graph's generator. */
  public SDVariable normalVariable(String name, double std, long... shape) {
    return variable(name, normal(std, shape));
  }

  /** A constant: part of the graph and its checkpoints, never trained. */
  public SDVariable constant(String name, INDArray value) {
    return sameDiff.constant(name(name), value);
  }

  /** A float placeholder; use {@code -1} for the batch dimension. */
  public SDVariable placeholder(String name, long... shape) {
    return sameDiff.placeHolder(name(name), DataType.FLOAT, shape);
  }

  /**
   * Records a batch statistic and the constant that holds its running value for inference. After
   * training the runtime averages the batch statistic over training batches ("precise BN") and
   * writes the result into the running constant.
   */
  public void registerBatchStatistic(SDVariable batchValue, SDVariable runningValue) {
    batchStatistics.add(new BatchStatistic(batchValue.name(), runningValue.name()));
  }

  /** Every batch statistic registered so far, in registration order. */
  public List<BatchStatistic> batchStatistics() {
    return Collections.unmodifiableList(batchStatistics);
  }

  /** Draws a float array from N(0, std²) with this graph's generator. */
  public INDArray normal(double std, long... shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    float[] values = new float[Math.toIntExact(n)];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (random.nextGaussian() * std);
    }
    return Nd4j.create(values, shape, 'c');
  }

  /**
   * A batch statistic and the constant holding its inference value.
   *
   * @param batchVariable name of the variable computed from the current batch
   * @param runningConstant name of the constant used when the training flag is 0
   */
  public record BatchStatistic(String batchVariable, String runningConstant) {
    public BatchStatistic {
      Objects.requireNonNull(batchVariable);
      Objects.requireNonNull(runningConstant);
    }
  }
}
