package dev.pretext.runtime.evaluation;

import dev.pretext.runtime.config.SegmentationSettings;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.data.SegmentationSet;
import dev.pretext.runtime.training.LinearHead;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The linear segmentation probe: every chosen feature map upsampled bilinearly to the image
 * ({@link Bilinear}), concatenated per pixel, and a linear classifier per pixel (a 1 × 1
 * convolution) — multinomial logistic regression fitted by {@link LinearProbe} (standardized
 * features, solved to its optimum, L2 chosen on held-out pixels) — scored on every pixel of the
 * test scenes.
 *
 * <p>The fit reads a seeded sample of {@code pixels-per-scene} pixels of every train scene (ignored
 * pixels skipped): all pixels of 2,000 scenes of 64 × 64 with 128 features would be 4 GB, and a
 * sample of half a million pixels pins down a classifier of a few thousand weights. Test scenes
 * are scored in full, with the classifier applied to each map at its own resolution and the
 * logits upsampled — the same numbers as classifying upsampled features, since upsampling is
 * linear with weights summing to 1.
 *
 * <p>Scores are those of PASCAL VOC: per class, IoU = TP / (TP + FP + FN) over all test pixels
 * (not per image); mIoU is their mean over the classes present in the test masks; pixel accuracy
 * is the share of labeled test pixels predicted right. Ignored pixels (255) count nowhere.
 */
public final class SegmentationProbe {

  /** Scenes per feature batch. */
  private static final int BATCH = 100;

  /**
   * What the probe measured.
   *
   * @param classIou IoU per class name; a class absent from the test masks and never predicted is
   *     left out (one predicted but absent scores 0 and is not in the mIoU)
   * @param pictures predicted masks of the first test scenes, row-major, for the report's pictures
   * @param choice the probe's L2 and L-BFGS iterations; null for the fine-tuned segmenter
   * @param fittedPixels train pixels the classifier was fitted on
   */
  public record Result(double miou, double pixelAccuracy, Map<String, Double> classIou, LinearProbe.Choice choice,
      int fittedPixels, List<int[]> pictures) {}

  private SegmentationProbe() {}

  /**
   * Fits on the train scenes and scores the test scenes.
   *
   * @param probe the linear probe's settings (L2 candidates, validation)
   */
  public static Result run(DenseFeatures features, SegmentationSet train, SegmentationSet test,
      SegmentationSettings settings, Suite.ProbeSettings probe, long seed) {
    int classes = train.classCount();
    Samples samples = sample(features, train, settings.pixelsPerScene(), seed);
    LinearProbe.Fitted fitted;
    try (INDArray x = Nd4j.create(samples.features, new long[] {samples.rows, samples.width}, 'c')) {
      fitted = LinearProbe.fit(x, samples.labels, classes, probe, seed);
    }
    LinearHead head = fitted.head();
    Tally tally = tally(test, settings.pictures(), BATCH,
        idx -> predict(features.of(test.batch(idx)), head, test.shape().height(), test.shape().width()));
    return score(tally.confusion(), train.classNames(), fitted.choice(), samples.rows, tally.pictures());
  }

  /**
   * What a segmenter predicted on every test pixel: the confusion matrix {@code [truth][predicted]}
   * over labelled pixels, and the predicted masks of the first test scenes.
   */
  record Tally(long[][] confusion, List<int[]> pictures) {}

  /**
   * Runs {@code predict} (scene indices → a class per pixel, {@code B·H·W} row-major per scene) over
   * the test scenes in batches of {@code batch} and tallies it against the masks; ignored pixels
   * count nowhere. The frozen probe and the fine-tuned segmenter are scored by it alike.
   */
  static Tally tally(SegmentationSet test, int pictures, int batch, java.util.function.Function<int[], int[]> predict) {
    int classes = test.classCount();
    long[][] confusion = new long[classes][classes];
    List<int[]> drawn = new ArrayList<>();
    int plane = test.shape().height() * test.shape().width();
    for (int start = 0; start < test.size(); start += batch) {
      int[] idx = IntStream.range(start, Math.min(test.size(), start + batch)).toArray();
      int[] predicted = predict.apply(idx);
      int[] truth = test.masksOf(idx);
      for (int i = 0; i < truth.length; i++) {
        if (truth[i] != SegmentationSet.IGNORE) {
          confusion[truth[i]][predicted[i]]++;
        }
      }
      for (int k = 0; k < idx.length && drawn.size() < pictures; k++) {
        drawn.add(java.util.Arrays.copyOfRange(predicted, k * plane, (k + 1) * plane));
      }
    }
    return new Tally(confusion, drawn);
  }

  /** The train pixels' features {@code [rows, D]} and labels. */
  private record Samples(float[] features, int[] labels, int rows, int width) {}

  /**
   * Draws {@code perScene} distinct pixels of every train scene (seeded per scene, so a scene's
   * pixels do not depend on the batch it is in) and computes their upsampled features.
   */
  private static Samples sample(DenseFeatures features, SegmentationSet train, int perScene, long seed) {
    int h = train.shape().height();
    int w = train.shape().width();
    int take = Math.min(perScene, h * w);
    float[] out = null;
    int[] labels = new int[train.size() * take];
    int rows = 0;
    int width = 0;
    for (int start = 0; start < train.size(); start += BATCH) {
      int[] idx = IntStream.range(start, Math.min(train.size(), start + BATCH)).toArray();
      List<INDArray> maps = features.of(train.batch(idx));
      if (out == null) {
        width = maps.stream().mapToInt(m -> (int) m.size(1)).sum();
        out = new float[Math.multiplyExact(labels.length, width)];
      }
      List<float[]> data = maps.stream().map(m -> m.data().asFloat()).toList();
      List<Bilinear[]> axes = axes(maps, h, w);
      int[] masks = train.masksOf(idx);
      for (int k = 0; k < idx.length; k++) {
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + idx[k]);
        for (int pixel : distinct(random, h * w, take)) {
          int label = masks[k * h * w + pixel];
          if (label == SegmentationSet.IGNORE) {
            continue;
          }
          pixelFeatures(maps, data, axes, k, pixel / w, pixel % w, out, rows * width);
          labels[rows++] = label;
        }
      }
    }
    return new Samples(out == null ? new float[0] : java.util.Arrays.copyOf(out, rows * width),
        java.util.Arrays.copyOf(labels, rows), rows, width);
  }

  /** {@code take} distinct values of {@code 0..n-1} (a partial Fisher-Yates shuffle). */
  private static int[] distinct(SplittableRandom random, int n, int take) {
    int[] all = IntStream.range(0, n).toArray();
    for (int i = 0; i < take; i++) {
      int j = i + random.nextInt(n - i);
      int t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    return java.util.Arrays.copyOf(all, take);
  }

  /** Per map, its rows' and columns' resampling to {@code h × w}. */
  static List<Bilinear[]> axes(List<INDArray> maps, int h, int w) {
    return maps.stream().map(m -> new Bilinear[] {new Bilinear((int) m.size(2), h), new Bilinear((int) m.size(3), w)})
        .toList();
  }

  /**
   * The bilinearly upsampled features of pixel (y, x) of scene k, every map's channels in turn.
   *
   * @param axes {@link #axes} of these maps
   */
  static void pixelFeatures(List<INDArray> maps, List<float[]> data, List<Bilinear[]> axes, int k, int y, int x,
      float[] out, int at) {
    int column = at;
    for (int m = 0; m < maps.size(); m++) {
      long[] s = maps.get(m).shape();
      int channels = (int) s[1];
      int mh = (int) s[2];
      int mw = (int) s[3];
      Bilinear rows = axes.get(m)[0];
      Bilinear columns = axes.get(m)[1];
      int y0 = rows.low(y);
      int y1 = rows.high(y);
      int x0 = columns.low(x);
      int x1 = columns.high(x);
      float wy = rows.highWeight(y);
      float wx = columns.highWeight(x);
      float[] values = data.get(m);
      for (int c = 0; c < channels; c++) {
        int plane = (k * channels + c) * mh * mw;
        float top = values[plane + y0 * mw + x0] + wx * (values[plane + y0 * mw + x1] - values[plane + y0 * mw + x0]);
        float bottom = values[plane + y1 * mw + x0] + wx * (values[plane + y1 * mw + x1] - values[plane + y1 * mw + x0]);
        out[column++] = top + wy * (bottom - top);
      }
    }
  }

  /**
   * The class of every pixel of a batch ({@code B·H·W}, row-major per scene): per map, the logits
   * of its own slice of the classifier at the map's resolution, upsampled to {@code h × w} and
   * summed, plus the bias.
   */
  static int[] predict(List<INDArray> maps, LinearHead head, int h, int w) {
    int n = (int) maps.get(0).size(0);
    int classes = (int) head.bias().length();
    float[] logits = new float[n * classes * h * w];
    float[] upsampled = new float[n * classes * h * w];
    long offset = 0;
    for (INDArray map : maps) {
      long[] s = map.shape();
      int channels = (int) s[1];
      int mh = (int) s[2];
      int mw = (int) s[3];
      INDArray weights = head.weights().get(
          org.nd4j.linalg.indexing.NDArrayIndex.interval(offset, offset + channels),
          org.nd4j.linalg.indexing.NDArrayIndex.all());
      offset += channels;
      // [B, C, h, w] → [B·h·w, C] · [C, K] → [B, h, w, K] → [B, K, h, w]
      INDArray pixels = map.permute(0, 2, 3, 1).dup('c').reshape(n * (long) mh * mw, channels);
      float[] low = pixels.mmul(weights.castTo(DataType.FLOAT)).reshape(n, mh, mw, classes)
          .permute(0, 3, 1, 2).dup('c').data().asFloat();
      Bilinear.resample(low, 0, n * classes, mh, mw, new Bilinear(mh, h), new Bilinear(mw, w), upsampled, 0);
      for (int i = 0; i < logits.length; i++) {
        logits[i] += upsampled[i];
      }
    }
    float[] bias = head.bias().castTo(DataType.FLOAT).data().asFloat();
    int plane = h * w;
    int[] predicted = new int[n * plane];
    for (int b = 0; b < n; b++) {
      for (int p = 0; p < plane; p++) {
        int best = 0;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
          float v = logits[(b * classes + c) * plane + p] + bias[c];
          if (v > bestValue) {
            bestValue = v;
            best = c;
          }
        }
        predicted[b * plane + p] = best;
      }
    }
    return predicted;
  }

  /** VOC's scores from a confusion matrix {@code [truth][predicted]}. */
  static Result score(long[][] confusion, List<String> classNames, LinearProbe.Choice choice, int fittedPixels,
      List<int[]> pictures) {
    int classes = confusion.length;
    long correct = 0;
    long total = 0;
    Map<String, Double> iou = new LinkedHashMap<>();
    double sum = 0;
    int present = 0;
    for (int c = 0; c < classes; c++) {
      long tp = confusion[c][c];
      long truth = 0;
      long predicted = 0;
      for (int o = 0; o < classes; o++) {
        truth += confusion[c][o];
        predicted += confusion[o][c];
      }
      long union = truth + predicted - tp;
      if (union == 0) {
        continue;
      }
      double value = (double) tp / union;
      iou.put(classNames.get(c), value);
      if (truth > 0) {
        sum += value;
        present++;
      }
      correct += tp;
      total += truth;
    }
    return new Result(present == 0 ? Double.NaN : sum / present, total == 0 ? Double.NaN : (double) correct / total,
        iou, choice, fittedPixels, pictures);
  }
}
