package dev.pretext.plugins.colorization;

import com.typesafe.config.ConfigException;
import dev.pretext.api.ComponentContext;
import dev.pretext.api.Encoder;
import dev.pretext.api.EncoderModule;
import dev.pretext.api.GraphRunner;
import dev.pretext.api.ImageShape;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.toolkit.graph.ConvDecoder;
import dev.pretext.toolkit.graph.Ops;
import dev.pretext.toolkit.visual.ImageGrid;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Colorization (Zhang et al., 2016; Larsson et al., 2016): the encoder sees only the lightness L of
 * an RGB image (CIE Lab, scaled to [0, 1] as L/100) and the task predicts, for every pixel, a
 * distribution over quantized ab bins; the target is the true ab soft-encoded over its nearest
 * bins, the loss a per-pixel cross-entropy averaged over pixels and weighted by class rebalancing.
 * Classification rather than ab regression because the L2 optimum of an ambiguous colour is its
 * grey-ish mean; the predicted colour is decoded by the annealed mean.
 *
 * <p>The dense prediction: the representation h goes through the shared {@link ConvDecoder} to
 * feature maps at 1/{@code output-stride} of the image size; L, average-pooled to that size, is
 * concatenated to them before the per-pixel (1×1) classifier over the Q bins, so colour can follow
 * the image's shapes while h has to say which colour. (The Encoder SPI exposes only the pooled h, not
 * spatial features.) The evaluated representation is h of L, built under the encoder scope, so an
 * encoder trained here applies to grayscale data.
 */
final class ColorizationTask implements PretextTask {

  /** Placeholder of the lightness L/100, {@code [N, 1, H, W]}: the encoder's only input. */
  static final String LIGHTNESS = "lightness";
  /** Placeholder of the soft-encoded true ab, {@code [N, Q, H/s, W/s]}. */
  static final String TARGET = "ab_target";
  /** Placeholder of the per-pixel rebalancing weights, {@code [N, 1, H/s, W/s]}. */
  static final String WEIGHT = "ab_weight";
  /** The logits over ab bins, {@code [N, Q, H/s, W/s]}. */
  static final String LOGITS = "ab_logits";

  /** Held-out images are colourized in chunks of at most this many, bounding their logits' memory. */
  private static final int CHUNK = 64;

  private final ColorizationSettings settings;
  private final AbBins bins;
  private final Rebalancing rebalancing;
  private String lightnessName;
  private String logitsName;

  ColorizationTask(ComponentContext context) {
    String path = context.configPath();
    this.settings = ColorizationSettings.from(context.config(), path);
    ImageShape shape = context.imageShape();
    if (shape.channels() != 3) {
      throw new ConfigException.BadValue(context.config().origin(), path, needsRgb(shape));
    }
    this.bins = AbBins.inGamut(settings.gridSize());
    String problem = outputProblem(shape);
    if (problem != null) {
      throw new ConfigException.BadValue(context.config().getValue("decoder.channels").origin(),
          path + ".decoder.channels", problem);
    }
    this.rebalancing = settings.rebalance()
        ? new Rebalancing(bins, settings.lambda(), settings.rebalanceSigma()) : null;
  }

  static String needsRgb(ImageShape shape) {
    return "colorization needs RGB pretraining images (3 channels) to take the colour from, but the "
        + "images it would train on are " + shape + (shape.channels() == 1 ? " (grayscale)" : "")
        + "; pretrain it on colour images with a pretraining-data block (suite level or in this "
        + "method's entry), e.g. pretraining-data { dataset = image-folder, path = ..., patch-size = 28 }, "
        + "and keep data as the labeled set the protocols evaluate on";
  }

  /** Why the decoder cannot predict at 1/output-stride of {@code shape}, or null. */
  private String outputProblem(ImageShape shape) {
    int s = settings.outputStride();
    if (shape.height() % s != 0 || shape.width() % s != 0) {
      return "output-stride " + s + " must divide the image sides, the images are " + shape;
    }
    return ConvDecoder.problem(settings.decoderChannels(), outputShape(shape));
  }

  private ImageShape outputShape(ImageShape shape) {
    int s = settings.outputStride();
    return new ImageShape(bins.count(), shape.height() / s, shape.width() / s);
  }

  /** Number of ab bins Q. */
  int binCount() {
    return bins.count();
  }

  @Override
  public TaskGraph build(GraphBuilder g, Encoder encoder, ImageShape shape) {
    if (shape.channels() != 3) {
      throw new IllegalArgumentException(needsRgb(shape));
    }
    SameDiff sd = g.sameDiff();
    ImageShape lShape = shape.withChannels(1);
    ImageShape out = outputShape(shape);
    SDVariable lightness = g.placeholder(LIGHTNESS, lShape.batchShape());
    SDVariable target = g.placeholder(TARGET, out.batchShape());
    SDVariable weight = g.placeholder(WEIGHT, out.withChannels(1).batchShape());
    Encoder.Representation h = encoder.build(g.scope(GraphBuilder.ENCODER_SCOPE), lightness, lShape);

    GraphBuilder decoder = g.scope("decoder");
    List<Integer> channels = settings.decoderChannels();
    SDVariable features = ConvDecoder.features(decoder, h.variable(), h.size(), channels, out);
    int s = settings.outputStride();
    SDVariable smallL = s == 1 ? lightness : sd.cnn().avgPooling2d(lightness,
        Pooling2DConfig.builder().kH(s).kW(s).sH(s).sW(s).isNHWC(false).build());
    SDVariable joined = sd.concat(1, features, smallL);
    // A 1×1 classifier per pixel, as in the paper: the Q-way output layer is the step's largest.
    SDVariable logits = ConvDecoder.outputConvolution(decoder, "out", joined,
        channels.get(channels.size() - 1) + 1, out.channels(), 1).rename(g.name(LOGITS));

    // Cross-entropy against the soft target per pixel (safe log-softmax over the bin axis),
    // weighted per pixel, averaged over pixels.
    SDVariable logProbabilities = Ops.logSoftmax(sd, logits, 1);
    SDVariable loss = target.mul(logProbabilities).sum(true, 1).mul(weight).mean().neg()
        .rename(g.name("colorization_loss"));
    lightnessName = lightness.name();
    logitsName = logits.name();
    return new TaskGraph(loss.name(), h.variable().name(), h.size());
  }

  @Override
  public Map<String, INDArray> prepare(INDArray images, Random random) {
    long[] shape = images.shape();
    if (shape[1] != 3) {
      throw new IllegalArgumentException(needsRgb(new ImageShape((int) shape[1], (int) shape[2], (int) shape[3])));
    }
    int n = (int) shape[0];
    int height = (int) shape[2];
    int width = (int) shape[3];
    int plane = height * width;
    float[] rgb = images.dup('c').data().asFloat();
    float[] light = new float[n * plane];
    float[] a = new float[n * plane];
    float[] b = new float[n * plane];
    float[] lab = new float[3];
    for (int i = 0; i < n; i++) {
      int base = i * 3 * plane;
      for (int k = 0; k < plane; k++) {
        Lab.rgbToLab(rgb[base + k], rgb[base + plane + k], rgb[base + 2 * plane + k], lab);
        light[i * plane + k] = lab[0] / 100f;
        a[i * plane + k] = lab[1];
        b[i * plane + k] = lab[2];
      }
    }
    // Targets at the prediction's resolution: the mean ab of each s×s block, soft-encoded.
    int s = settings.outputStride();
    int h = height / s;
    int w = width / s;
    int cells = h * w;
    int q = bins.count();
    float[] target = new float[n * q * cells];
    int[] nearest = new int[n * cells];
    for (int i = 0; i < n; i++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          float sa = 0;
          float sb = 0;
          for (int dy = 0; dy < s; dy++) {
            for (int dx = 0; dx < s; dx++) {
              int k = i * plane + (y * s + dy) * width + x * s + dx;
              sa += a[k];
              sb += b[k];
            }
          }
          int cell = y * w + x;
          nearest[i * cells + cell] = bins.softEncode(sa / (s * s), sb / (s * s), settings.neighbours(),
              (float) settings.softSigma(), target, i * q * cells + cell, cells);
        }
      }
    }
    float[] weight = new float[n * cells];
    if (rebalancing == null) {
      Arrays.fill(weight, 1f);
    } else {
      float[] perBin = rebalancing.addAndWeigh(nearest);
      for (int j = 0; j < weight.length; j++) {
        weight[j] = perBin[nearest[j]];
      }
    }
    return Map.of(
        LIGHTNESS, Nd4j.create(light, new long[] {n, 1, height, width}, 'c'),
        TARGET, Nd4j.create(target, new long[] {n, q, h, w}, 'c'),
        WEIGHT, Nd4j.create(weight, new long[] {n, 1, h, w}, 'c'));
  }

  /** The lightness: one channel. */
  @Override
  public ImageShape encoderShape(ImageShape shape) {
    return shape.withChannels(1);
  }

  /**
   * h of L/100, the lightness computed by graph ops from RGB images or, for grayscale ones (e.g.
   * Fashion-MNIST in transfer), with each value v read as the sRGB grey (v, v, v), whose L is exact
   * — the lightness the encoder would have seen for that grey in a colour photo (L/100 ≠ v:
   * mid-grey 0.5 has L = 53.4).
   */
  @Override
  public Encoder.Representation representation(GraphBuilder g, EncoderModule encoder,
      SDVariable images, ImageShape shape) {
    if (shape.channels() != 1 && shape.channels() != 3) {
      throw new IllegalArgumentException("colorization reads 1- or 3-channel images, got " + shape);
    }
    SDVariable light = Lab.lightness(g.sameDiff(), images, shape.channels());
    SDVariable h = encoder.apply(light, encoderShape(shape), EncoderModule.MAIN).representation();
    return new Encoder.Representation(h, encoder.representationSize());
  }

  /** Rows: lightness only (as grey) / predicted colour / true colour, in {@code colorization.png}. */
  @Override
  public List<Path> writeVisuals(GraphRunner runner, SameDiff graph, TaskGraph taskGraph, INDArray images,
      Path folder) throws IOException {
    if (images.size(1) != 3) {
      return List.of();
    }
    INDArray lab = Lab.fromRgb(images);
    INDArray ab = predictAb(runner, graph, images);
    INDArray grey = ColourMetrics.colourize(lab, Nd4j.zerosLike(ab));
    INDArray predicted = ColourMetrics.colourize(lab, ab);
    return List.of(ImageGrid.write(folder.resolve("colorization.png"), List.of(grey, predicted, images)));
  }

  /**
   * Mean ab error (Lab units) and PSNR (dB) of the colourized images against the true ones, and
   * the same for predicting grey (a = b = 0). Empty for grayscale images: no colour to compare.
   */
  @Override
  public Map<String, Double> pretextMetrics(GraphRunner runner, SameDiff graph, TaskGraph taskGraph,
      INDArray images) {
    if (images.size(1) != 3) {
      return Map.of();
    }
    return new LinkedHashMap<>(ColourMetrics.of(images, predictAb(runner, graph, images)));
  }

  /**
   * The decoded ab of RGB images at their full resolution, {@code [N, 2, H, W]}: annealed mean per
   * predicted cell, repeated over its s×s block.
   *
   * <p>Batch norm runs on the held-out batch's own statistics, as in training: the running
   * statistics are calibrated on the evaluation data, which may be another dataset (grayscale
   * Fashion-MNIST after pretraining on colour photos).
   */
  INDArray predictAb(GraphRunner runner, SameDiff graph, INDArray images) {
    if (logitsName == null) {
      throw new IllegalStateException("predictAb before build");
    }
    long n = images.size(0);
    INDArray result = Nd4j.create(DataType.FLOAT, n, 2, images.size(2), images.size(3));
    for (long start = 0; start < n; start += CHUNK) {
      long end = Math.min(n, start + CHUNK);
      INDArray chunk = images.get(NDArrayIndex.interval(start, end), NDArrayIndex.all(), NDArrayIndex.all(),
          NDArrayIndex.all());
      result.get(NDArrayIndex.interval(start, end), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all())
          .assign(decode(runner.inferWithBatchStatistics(graph, Map.of(lightnessName, lightness(chunk)), logitsName)
              .get(logitsName), (int) images.size(2), (int) images.size(3)));
    }
    return result;
  }

  /** {@code [N, 1, H, W]} L/100 of RGB images, as {@link #prepare} gives the encoder. */
  private static INDArray lightness(INDArray rgb) {
    return Lab.fromRgb(rgb).get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1), NDArrayIndex.all(),
        NDArrayIndex.all()).div(100);
  }

  /** Logits {@code [N, Q, h, w]} → annealed-mean ab {@code [N, 2, H, W]} (nearest upsampling). */
  private INDArray decode(INDArray logits, int height, int width) {
    long[] shape = logits.shape();
    int n = (int) shape[0];
    int q = (int) shape[1];
    int h = (int) shape[2];
    int w = (int) shape[3];
    int s = height / h;
    int cells = h * w;
    float[] v = logits.dup('c').data().asFloat();
    float[] out = new float[n * 2 * height * width];
    float[] ab = new float[2];
    int plane = height * width;
    for (int i = 0; i < n; i++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          bins.annealedMean(v, i * q * cells + y * w + x, cells, (float) settings.temperature(), ab);
          for (int dy = 0; dy < s; dy++) {
            for (int dx = 0; dx < s; dx++) {
              int k = (y * s + dy) * width + x * s + dx;
              out[i * 2 * plane + k] = ab[0];
              out[i * 2 * plane + plane + k] = ab[1];
            }
          }
        }
      }
    }
    return Nd4j.create(out, new long[] {n, 2, height, width}, 'c');
  }
}
