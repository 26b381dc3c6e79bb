package dev.pretext.plugins.contextencoder;

import com.typesafe.config.Config;
import dev.pretext.api.ComponentContext;
import dev.pretext.api.Encoder;
import dev.pretext.api.GraphRunner;
import dev.pretext.api.ImageShape;
import dev.pretext.api.Loss;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.toolkit.Settings;
import dev.pretext.toolkit.graph.ConvDecoder;
import dev.pretext.toolkit.metrics.ImageErrors;
import dev.pretext.toolkit.visual.ImageGrid;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Context encoder (Pathak et al., 2016): a region of each image is hidden (filled with a constant
 * near the data mean), the encoder sees the rest, and a convolutional decoder from its
 * representation h paints the whole image back. The loss counts only the hidden pixels and,
 * weighted by {@code overlap-weight}, a thin visible band around them, as in the paper; the
 * adversarial term of the paper is left out. The protocols evaluate h of whole, unmasked images
 * (the default {@link #representation}: the encoder on the images).
 */
final class ContextEncoderTask implements PretextTask {

  /** Placeholder of the images with their region hidden. */
  static final String MASKED = "masked";
  /** Placeholder of the original images. */
  static final String TARGET = "target";
  /** Placeholder of the per-pixel loss weights: 1 hidden, overlap-weight in the band, else 0. */
  static final String WEIGHT = "weight";
  /** The reconstruction in [0, 1], sigmoid of the decoder's logits. */
  static final String RECONSTRUCTION = "reconstruction";
  /** The decoder's logits or their sigmoid, whichever the loss takes, the images and the weights. */
  private static final Map<String, Set<Loss.Input>> ROLES = Map.of(
      "prediction", Set.of(Loss.Input.LOGITS, Loss.Input.PROBABILITIES),
      "target", Set.of(Loss.Input.TARGETS),
      "weight", Set.of(Loss.Input.TARGETS));

  private final MaskSettings mask;
  private final float fill;
  private final List<Integer> decoderChannels;
  private final Loss loss;
  private final boolean lossTakesLogits;
  private final long seed;
  private String maskedName;
  private String reconstructionName;

  ContextEncoderTask(ComponentContext context) {
    Config c = context.config();
    String path = context.configPath();
    Settings settings = Settings.of(context);
    this.mask = MaskSettings.from(settings.at("mask"));
    this.fill = (float) settings.doubleIn("fill-value", 0, 1);
    this.decoderChannels = List.copyOf(c.getIntList("decoder.channels"));
    String problem = ConvDecoder.problem(decoderChannels, context.imageShape());
    if (problem != null) {
      throw settings.bad("decoder.channels", problem);
    }
    this.loss = context.components().createLoss(c, path, "context-encoder", ROLES,
        "a reconstruction loss such as mse or binary-cross-entropy");
    this.lossTakesLogits = loss.consumes().get("prediction") == Loss.Input.LOGITS;
    this.seed = context.seed();
  }

  @Override
  public TaskGraph build(GraphBuilder g, Encoder encoder, ImageShape shape) {
    SameDiff sd = g.sameDiff();
    SDVariable masked = g.placeholder(MASKED, shape.batchShape());
    SDVariable target = g.placeholder(TARGET, shape.batchShape());
    SDVariable weight = g.placeholder(WEIGHT, shape.batchShape());
    Encoder.Representation h = encoder.build(g.scope("encoder"), masked, shape);
    SDVariable logits = ConvDecoder.build(g.scope("decoder"), h.variable(), h.size(), decoderChannels, shape);
    SDVariable reconstruction = sd.nn().sigmoid(g.name(RECONSTRUCTION), logits);
    SDVariable value = loss.build(g.scope("loss"), Map.of(
        "prediction", lossTakesLogits ? logits : reconstruction, "target", target, "weight", weight));
    maskedName = masked.name();
    reconstructionName = reconstruction.name();
    return new TaskGraph(value.name(), h.variable().name(), h.size());
  }

  @Override
  public Map<String, INDArray> prepare(INDArray images, Random random) {
    Batch b = mask(images, random);
    return Map.of(MASKED, b.masked, TARGET, images, WEIGHT, b.weight);
  }

  /** Rows input / masked / inpainted (the reconstruction pasted into the hole), in {@code inpainting.png}. */
  @Override
  public List<Path> writeVisuals(GraphRunner runner, SameDiff graph, TaskGraph taskGraph, INDArray images,
      Path folder) throws IOException {
    if (reconstructionName == null) {
      throw new IllegalStateException("writeVisuals before build");
    }
    Batch b = mask(images, new Random(seed));
    INDArray reconstruction = reconstruct(runner, graph, b.masked);
    INDArray inpainted = b.masked.mul(b.hidden.rsub(1)).addi(reconstruction.mul(b.hidden));
    return List.of(ImageGrid.write(folder.resolve("inpainting.png"), List.of(images, b.masked, inpainted)));
  }

  /**
   * Inpainting error over the hidden pixels of held-out images, next to two trivial fillers: the
   * constant fill value and each image's mean visible value (per channel). MSE per pixel in [0, 1]
   * and the PSNR it means.
   */
  @Override
  public Map<String, Double> pretextMetrics(GraphRunner runner, SameDiff graph, TaskGraph taskGraph,
      INDArray images) {
    if (reconstructionName == null) {
      throw new IllegalStateException("pretextMetrics before build");
    }
    Batch b = mask(images, new Random(seed));
    INDArray reconstruction = reconstruct(runner, graph, b.masked);
    double mse = ImageErrors.mse(reconstruction, images, b.hidden);
    INDArray visible = b.hidden.rsub(1);
    long n = images.size(0);
    long channels = images.size(1);
    INDArray visibleMean = images.mul(visible).sum(2, 3).divi(Transforms.max(visible.sum(2, 3), 1.0))
        .reshape(n, channels, 1, 1).broadcast(images.shape());
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("hole_mse", mse);
    metrics.put("hole_psnr_db", ImageErrors.psnrDb(mse));
    metrics.put("hole_mse_fill_value", ImageErrors.mse(b.masked, images, b.hidden));
    metrics.put("hole_mse_visible_mean", ImageErrors.mse(visibleMean, images, b.hidden));
    return metrics;
  }

  /** Masks each image of {@code images}: hidden pixels, masked images and loss weights. */
  private Batch mask(INDArray images, Random random) {
    long[] shape = images.shape();
    int n = (int) shape[0];
    int channels = (int) shape[1];
    int height = (int) shape[2];
    int width = (int) shape[3];
    int plane = height * width;
    float[] v = images.dup('c').data().asFloat();
    float[] hidden = new float[v.length];
    float[] weight = new float[v.length];
    for (int i = 0; i < n; i++) {
      float[] m = Masks.draw(mask, height, width, random);
      float[] band = mask.overlap() > 0 ? Masks.band(m, height, width, mask.overlap()) : new float[plane];
      for (int c = 0; c < channels; c++) {
        int base = (i * channels + c) * plane;
        for (int k = 0; k < plane; k++) {
          hidden[base + k] = m[k];
          weight[base + k] = m[k] + (float) mask.overlapWeight() * band[k];
          if (m[k] > 0) {
            v[base + k] = fill;
          }
        }
      }
    }
    return new Batch(Nd4j.create(hidden, shape, 'c'), Nd4j.create(v, shape, 'c'),
        Nd4j.create(weight, shape, 'c'));
  }

  /**
   * The reconstruction of {@code masked}, batch norm on the batches' own statistics as in
   * training: the running statistics were calibrated on whole, clean images, and the shifted
   * statistics of masked inputs would distort the picture.
   */
  private INDArray reconstruct(GraphRunner runner, SameDiff graph, INDArray masked) {
    return runner.inferWithBatchStatistics(graph, Map.of(maskedName, masked), reconstructionName)
        .get(reconstructionName);
  }

  /** One masked batch, each array {@code [N, C, H, W]}. */
  private record Batch(INDArray hidden, INDArray masked, INDArray weight) {}
}
