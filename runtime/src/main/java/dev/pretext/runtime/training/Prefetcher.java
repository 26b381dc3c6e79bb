package dev.pretext.runtime.training;

import dev.pretext.api.PretextTask;
import dev.pretext.runtime.data.ImageSet;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Prepares training batches on a background thread: shuffles each epoch, slices images and runs
 * the task's {@link PretextTask#prepare} (augmentations included), a bounded number ahead.
 * Epoch e's order and augmentations depend only on (seed, e), so a resumed run sees the same data.
 */
final class Prefetcher implements AutoCloseable {

  private static final Object END = new Object();

  /** The task (or the data) failed to prepare the batch of {@code step}. */
  private record Failed(long step, RuntimeException cause) {}

  private final BlockingQueue<Object> queue;
  private final Thread thread;
  private volatile boolean closed;

  Prefetcher(ImageSet data, PretextTask task, int batchSize, int firstEpoch, int epochs,
      long seed, int ahead, long maxBatches) {
    this.queue = new ArrayBlockingQueue<>(ahead);
    this.thread = new Thread(() -> produce(data, task, batchSize, firstEpoch, epochs, seed, maxBatches),
        "pretext-prefetch");
    thread.setDaemon(true);
    thread.start();
  }

  /** Batches per epoch: the last partial batch is dropped so every step sees a full batch. */
  static int batchesPerEpoch(int size, int batchSize) {
    return Math.max(1, size / batchSize);
  }

  static int[] epochOrder(int size, long seed, int epoch) {
    int[] order = new int[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    Random random = new Random(seed * 1_000_003L + epoch);
    for (int i = size - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  private void produce(ImageSet data, PretextTask task, int batchSize, int firstEpoch, int epochs,
      long seed, long maxBatches) {
    try {
      long produced = 0;
      int perEpoch = batchesPerEpoch(data.size(), batchSize);
      int size = Math.min(batchSize, data.size()); // as TrainingEngine.batchSize
      for (int epoch = firstEpoch; epoch < epochs && !closed; epoch++) {
        int[] order = epochOrder(data.size(), seed, epoch);
        Random augment = new Random(seed * 31L + epoch * 7_919L + 17);
        for (int b = 0; b < perEpoch && !closed && produced < maxBatches; b++, produced++) {
          int[] idx = java.util.Arrays.copyOfRange(order, b * size, (b + 1) * size);
          Map<String, INDArray> batch;
          try {
            batch = task instanceof LabelledTask labelled
                ? labelled.prepareLabelled(data, idx)
                : task.prepare(data.batch(idx), augment);
          } catch (RuntimeException e) {
            // The trainer's step number: the epochs before a max-steps cut are whole.
            offer(new Failed((long) epoch * perEpoch + b, e));
            return;
          }
          offer(batch);
        }
      }
      offer(END);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      queue.clear();
      queue.offer(e);
    }
  }

  /**
   * Queues an item behind the batches prepared before it: a failure surfaces at its own step, so
   * the epochs before it still end with their checkpoint.
   */
  private void offer(Object item) throws InterruptedException {
    while (!closed && !queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
      // wait for the trainer
    }
  }

  /** The next batch, or {@code null} at the end of the data. */
  @SuppressWarnings("unchecked")
  Map<String, INDArray> next() throws InterruptedException {
    Object item = queue.take();
    if (item == END) {
      queue.put(END);
      return null;
    }
    if (item instanceof Failed f) {
      throw new IllegalStateException("preparing the batch of step " + f.step() + " failed: "
          + f.cause().getMessage(), f.cause());
    }
    if (item instanceof RuntimeException e) {
      throw new IllegalStateException("preparing a batch failed: " + e.getMessage(), e);
    }
    if (item instanceof Error e) {
      throw e;
    }
    return (Map<String, INDArray>) item;
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
