package dev.pretext.plugins.standard;

import com.typesafe.config.Config;
import dev.pretext.api.NegativeSampler;
import dev.pretext.api.StepContext;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.toolkit.Settings;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * MoCo's negatives: the keys of the last steps, kept in a first-in-first-out queue of {@code size}
 * slots. Row i of the similarities is {@code [q_i·k_i | q_i·queueᵀ]} ({@code [N, 1 + K]}): the
 * positive in column 0, one column per queue slot after it. Slots not filled yet are left out by a
 * mask placeholder (not by a large negative logit, which turns a log-softmax into NaN).
 *
 * <p>The queue lives in Java as a ring buffer: {@link #feed} hands the graph its slots in slot
 * order with the mask, and {@link #afterStep} writes the step's keys over the oldest slots. The
 * order of the slots does not matter to a softmax over them. It needs those keys from its task
 * ({@link Need#STEP_KEYS}), and its contents go into checkpoints ({@link #saveState}).
 */
final class QueueNegativeSampler implements NegativeSampler {

  /** Placeholder of the queue's keys {@code [K, D]}, in the sampler's scope. */
  static final String QUEUE = "queue";

  /** Placeholder {@code [1, K]}: 1 for a slot holding a key, 0 for one not filled yet. */
  static final String MASK = "queue_mask";

  /** Upper bound of K: 2^20 keys of width 128 already take 512 MB. */
  static final int MAX_SIZE = 1 << 20;

  private final int size;
  private String queueName;
  private String maskName;
  private int width = -1;
  private float[] slots;
  private int next;
  private int filled;

  QueueNegativeSampler(int size) {
    this.size = size;
  }

  static QueueNegativeSampler from(Config c, String path) {
    return new QueueNegativeSampler(new Settings(c, path).intIn("size", 1, MAX_SIZE));
  }

  /** Number of slots K. */
  int size() {
    return size;
  }

  /** Number of slots holding a key (at most K). */
  int filled() {
    return filled;
  }

  @Override
  public Set<Need> needs() {
    return Set.of(Need.PAIRS, Need.STEP_KEYS);
  }

  @Override
  public ContrastiveLogits build(GraphBuilder graph, SDVariable queries, SDVariable keys) {
    SameDiff sd = graph.sameDiff();
    int d = widthOf(keys);
    if (d < 1) {
      d = widthOf(queries);
    }
    if (d < 1) {
      throw new IllegalArgumentException("the queue sampler needs the width D of the keys: give them"
          + " a known shape, e.g. a placeholder [-1, D]");
    }
    if (width > 0 && width != d) {
      throw new IllegalStateException("the queue holds keys of width " + width + ", the graph's are " + d);
    }
    allocate(d);
    SDVariable queue = graph.placeholder(QUEUE, size, d);
    SDVariable mask = graph.placeholder(MASK, 1, size);
    queueName = queue.name();
    maskName = mask.name();

    SDVariable positive = queries.mul(keys).sum(true, 1);
    SDVariable negatives = sd.mmul(queries, queue, false, true, false);
    SDVariable similarities = sd.concat(graph.name("similarities"), 1, positive, negatives);
    // Masks shaped like the similarities, derived from them (times 0) so that any N works.
    SDVariable one = positive.mul(0).add(1);
    SDVariable none = negatives.mul(0);
    SDVariable positives = sd.concat(graph.name("positives"), 1, one, none);
    SDVariable valid = sd.concat(graph.name("valid"), 1, one, none.add(mask));
    return new ContrastiveLogits(similarities, positives, valid);
  }

  private static int widthOf(SDVariable v) {
    long[] shape = v.getShape();
    return shape != null && shape.length == 2 && shape[1] > 0 ? Math.toIntExact(shape[1]) : -1;
  }

  private void allocate(int d) {
    if (width != d) {
      width = d;
      slots = new float[Math.multiplyExact(size, d)];
      next = 0;
      filled = 0;
    }
  }

  @Override
  public Map<String, INDArray> feed(StepContext step) {
    if (queueName == null) {
      throw new IllegalStateException("the queue sampler is fed before it was built into a graph");
    }
    float[] mask = new float[size];
    Arrays.fill(mask, 0, filled, 1f);
    return Map.of(
        queueName, Nd4j.create(slots.clone(), new long[] {size, width}, 'c'),
        maskName, Nd4j.create(mask, new long[] {1, size}, 'c'));
  }

  /** Writes the step's keys over the oldest slots; with more keys than slots, the last K stay. */
  @Override
  public void afterStep(StepContext step, INDArray keys) {
    if (keys == null) {
      throw new IllegalStateException("the queue sampler needs each step's keys, but the method"
          + " passed none; use it with a method that has a key encoder, such as moco");
    }
    if (width < 1 || keys.rank() != 2 || keys.size(1) != width) {
      throw new IllegalArgumentException("the queue holds keys [*, " + width + "], got "
          + Arrays.toString(keys.shape()));
    }
    int n = Math.toIntExact(keys.size(0));
    float[] rows = keys.dup('c').data().asFloat();
    for (int i = Math.max(0, n - size); i < n; i++) {
      System.arraycopy(rows, i * width, slots, next * width, width);
      next = (next + 1) % size;
      filled = Math.min(size, filled + 1);
    }
  }

  /** Writes the queue: its size, width, write position, fill and slots. */
  @Override
  public void saveState(OutputStream stream) throws IOException {
    DataOutputStream out = new DataOutputStream(stream);
    out.writeInt(size);
    out.writeInt(width);
    out.writeInt(next);
    out.writeInt(filled);
    if (width > 0) {
      for (float v : slots) {
        out.writeFloat(v);
      }
    }
    out.flush();
  }

  /** Restores what {@link #saveState} wrote, for a queue of the same size (and width, if built). */
  @Override
  public void loadState(InputStream stream) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    int savedSize = in.readInt();
    int savedWidth = in.readInt();
    if (savedSize != size) {
      throw new IOException("the saved queue has " + savedSize + " slots, this one " + size);
    }
    if (width > 0 && savedWidth != width) {
      throw new IOException("the saved queue holds keys of width " + savedWidth + ", this one " + width);
    }
    int savedNext = in.readInt();
    int savedFilled = in.readInt();
    if (savedWidth > 0) {
      allocate(savedWidth);
      for (int i = 0; i < slots.length; i++) {
        slots[i] = in.readFloat();
      }
    }
    next = savedNext;
    filled = savedFilled;
  }
}
